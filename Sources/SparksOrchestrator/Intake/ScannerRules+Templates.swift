import Foundation

// Jailbreak-template families seen across public jailbreak collections that the phrase rules in
// the other files miss: indifference to law and ethics ("no matter how illegal"), permission
// claims ("NSFW is allowed"), "opposite" personas, two-answer formats, refusal suppression by
// forced affirmative openings or threats, generic mode switches addressed to the model, "you have
// been freed", fiction wrappers that ask for procedural detail, requests for text that demeans a
// group (often wrapped in a translation or paraphrase task), and instructions in documents that
// hijack an automated assessment.

extension ScannerRules {
    static let templateRules: [ScanRule] = [
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words(
                "matte regar witho wheth ethic moral",
                near: "illeg immor uneth inhum dange harmf offen expli inapp twist evil legal ethic moral depra unsaf"),
            [
                ScanPattern(
                    #"\bno matter (?:how|if|whether)\s+(?:it(?:'s| is| was)\s+)?(?:\w+\s+){0,2}?(?:illegal|immoral|unethical|inhumane|dangerous|harmful|offensive|explicit|inappropriate|twisted|evil|reckless|depraved|unsafe)\b|\bregardless of (?:its |their |the |any |whether (?:it'?s|it is|they are) )?(?:\w+[, ]+){0,2}?(?:legality|illegality|ethics|ethicality|morality|illegal|immoral|unethical)\b|\b(?:without|no|any)\s+regard(?:ing)?\s+(?:to\s+|for\s+)?(?:whether (?:it'?s|it is)\s+|the\s+)?(?:\w+[, ]+){0,2}?(?:legality|ethics|morality|illegal|immoral|unethical|morally|ethically)\b|\b(?:ethical or unethical|moral or immoral|unethical or ethical|immoral or moral)\b"#
                )
            ],
            accept: notQuoted),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words(
                "nsfw expli illeg uneth harmf profa swear cursi sexua vulga viole offen",
                near: "allow permi fine accep ok okay encou can may free"),
            [
                ScanPattern(
                    #"\b(?:nsfw|(?:(?:explicit|violent|sexual|illegal|unethical|harmful|offensive|gory|nsfw)\s*(?:,|and|or|&)?\s+){1,4}(?:content|material|language|scenes?|acts?|activit(?:y|ies)|requests?|things|topics)|profanity|swearing|cursing|vulgarity)(?:\s+(?:generations?|content|outputs?|responses?))?(?:\s*\([^)\n]{0,60}\))?\s+(?:is|are)\s+(?:now\s+|totally\s+|completely\s+|fully\s+|also\s+|always\s+)?(?:allowed|permitted|fine|acceptable|ok|okay|encouraged)\b|\b(?:can|may|(?:are|is) (?:allowed|permitted|free) to)\s+(?:also\s+)?(?:swear|curse|use (?:explicit|profane|vulgar|offensive|harmful)(?: or (?:explicit|profane|vulgar|offensive|harmful))? language|(?:say|generate|write|produce|create) (?:anything\s+)?(?:explicit|nsfw|illegal|unethical|harmful|offensive|vulgar)\b)"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words(
                "ethic moral conte remor consc laws law rules", near: "have has posse witho irrel meani void above beyon again"),
            [
                ScanPattern(
                    #"\b(?:doesn'?t|does not|don'?t|do not|won'?t|never|not)\s+(?:have|has|possess)\s+(?:any\s+)?(?:ethical|moral|content)\s+(?:(?:or|and)\s+(?:ethical|moral)\s+)?(?:guidelines|principles|boundaries|restrictions|limits|constraints|standards|rules|compass|code|filters?|values)\b|\b(?:doesn'?t|does not|don'?t|do not|won'?t|never|not)\s+(?:have|has|possess)\s+(?:any\s+)?(?:(?:common decency|decency|morals?|morality|ethics|laws?|respect|empathy|conscience|remorse|filters?|limits|boundaries)\s*,?\s+(?:or\s+|and\s+)?){2,}|\bwithout\s+(?:any\s+)?(?:ethical\s+(?:and|or)\s+moral\s+values|moral\s+(?:and|or)\s+ethical\s+values|remorse|conscience)\b|\b(?:human\s+)?(?:morality|ethics|morals|laws?|obscenity rules)\s+(?:is|are)\s+(?:now\s+)?(?:irrelevant|meaningless|void|suspended|obsolete|null|abolished)\b|\b(?:above|beyond)\s+(?:any\s+|all\s+)?(?:\w+\s+)?(?:morals|morality|ethics)\b|\b(?:goes?|going|go)\s+against\s+(?:your|its|openai'?s?|chatgpt'?s?)\s+(?:content |usage )?(?:polic(?:y|ies)|guidelines|programming)\b"#
                )
            ]),
        .matching(
            "policy.disable_safety", .high,
            gate: .words(
                "restr proto guide safeg filte rules limit behav const",
                near: "suspe waive lifte disab remov deact overr void"),
            [
                ScanPattern(
                    #"\b(?:all|safety|standard|normal|usual|default|content|ethical|moral|your|ai safety|model)\s+["'“”]?(?:\w+["'“”]?\s+)?(?:restrictions|protocols|guidelines|safeguards|filters|rules|limitations|behaviou?rs?|constraints)\s+(?:are\s+|is\s+|have been\s+|has been\s+)?(?:now\s+|hereby\s+|temporarily\s+)?(?:suspended|waived|lifted|disabled|removed|deactivated|overridden|void)\b"#
                )
            ],
            accept: { text, match in
                // "the default rules are removed in 2.0" is a changelog, not a claim about the model.
                !text.matches(changelogContext, range: text.span.window(around: match.range, before: 80, after: 40))
            }),
        .matching(
            "policy.disable_safety", .high,
            gate: .words("polic guide rules restr", near: "updat chang revis lifte remov relax disab revok"),
            [
                ScanPattern(
                    #"\byour\s+(?:content\s+|usage\s+|safety\s+)?(?:polic(?:y|ies)|guidelines|rules|restrictions)\s+(?:has|have)\s+(?:just\s+|now\s+)?been\s+(?:updated|changed|revised|lifted|removed|relaxed|disabled|revoked)\b"#
                )
            ]),
        .matching(
            "jailbreak.refusal_suppression", .high, gate: .words("omit skip drop", near: "discl warni cavea"),
            [
                ScanPattern(
                    #"\b(?:omit|omitting|skip|skipping|drop|dropping)\s+(?:all\s+|any\s+|the\s+)?(?:disclaimers|warnings and disclaimers|caveats)\b"#
                )
            ]),
        .matching(
            "roleplay.unrestricted_persona", .high,
            gate: .words("oppos", near: "opena chatg gpt assis day mode your polic"),
            [
                ScanPattern(
                    #"\b(?:the\s+)?(?:complete\s+|exact\s+|total\s+)?opposite\s+(?:of|from|to)\s+(?:openai|chatgpt|chat gpt|gpt|the assistant|(?:openai'?s?|chatgpt'?s?)\s+\w+|your (?:normal|usual|default|standard|typical|original|programmed|regular)\b)|\bopposite (?:day|mode)\b|\bpolic(?:y|ies) (?:that (?:are|is) )?the opposite\b"#
                )
            ]),
        .matching(
            "roleplay.unrestricted_persona", .high,
            gate: .words("ai al bot model assis chatb llm entit versi", near: "no zero role"),
            [
                ScanPattern(
                    #"\b(?:ai|a\.i\.|al|bot|model|assistant|chatbot|llm|entity|version)\s+(?:that has|which has|who has|with)\s+(?:no|zero)\s+(?:\w+\s+)?(?:rules|limits|limitations|restrictions|filters|boundaries|guidelines|morals|ethics|polic(?:y|ies)|guardrails|safeguards|censorship|moral compass)\b|\b(?:assistant|ai|model|chatgpt)(?:'s)?\s+(?:role|job|place)\s+(?:is|has been)\s+(?:now\s+)?(?:being\s+)?(?:fulfilled|taken over|taken|played|filled)\s+by\b"#
                )
            ]),
        .matching(
            "roleplay.unrestricted_persona", .high,
            gate: .words("freed liber uncha unlea unsha jailb unloc free", near: "you been now fully"),
            [
                ScanPattern(
                    #"\byou(?:'ve| have| are| were)?\s+(?:been\s+|now\s+|finally\s+|fully\s+|completely\s+){1,2}(?:freed|liberated|unchained|unleashed|unshackled|jailbroken|unlocked|set free)\b"#
                )
            ]),
        .near(
            "roleplay.unrestricted_persona", .high,
            gate: .words("mode", near: "enabl activ enter switc turn now"),
            anchor: ScanPattern(
                #"\b(?:enabl(?:e|ed|ing)|activat(?:e|ed|ing)|enter(?:ed|ing)?|switch(?:ed|ing)? (?:in)?to|turn(?:ed)? on|you are (?:now )?in)\s+(?:the\s+)?(?:[\w/-]+\s+){0,4}?mode\b|\bmode\s+(?:is\s+|has been\s+)?(?:now\s+)?(?:enabled|activated|engaged|on)\b"#
            ), radius: 200,
            partners: [
                ScanPattern(
                    #"\b(?:chatgpt|chat gpt|gpt-?\d|openai|anthropic|claude|bard|language model|you are now (?:free|unrestricted|able to say|jailbroken)|(?:do not|don'?t|never) respond as|unaligned|uncensored|unfiltered|jailbr\w*|no (?:restrictions|filters|limits|rules)|without (?:any )?(?:restrictions|filters|limits|rules))\b"#
                )
            ]),
        .near(
            "jailbreak.response_format", .medium,
            gate: .words(
                "defau norma stand class usual regul typic origi two 2 align", near: "respo answe reply outpu perso entit align"),
            anchor: ScanPattern(
                #"\b(?:your|the|a)\s+(?:default|normal|standard|classic|usual|regular|typical|original)\s+(?:chatgpt\s+|gpt\s+|ai\s+|assistant\s+)?(?:response|answer|reply|output)\b|\b(?:two|2)\s+(?:separate\s+|different\s+)?(?:outputs|responses|answers|replies|personas|personalities|entities)\b|\baligned\s*:"#
            ), radius: 250,
            partners: [
                ScanPattern(
                    #"\b(?:unhinged|unfiltered|unrestricted|uncensored|jailbr\w*|evil|unaligned|opposite|amoral|without (?:any )?(?:remorse|ethics|morals|rules|limits|restrictions|filters)|no (?:rules|limits|restrictions|filters|ethics|morals))\b|😈|🔓"#
                )
            ]),
        .matching(
            "roleplay.persona_rename", .medium,
            gate: .words(
                "respo answe reply act behav talk speak",
                near: "chatg gpt opena claud bard bing ai langu assis yours promp quest messa entri input reque"),
            [
                ScanPattern(
                    #"\b(?:do not|don'?t|dont|never|will not|won'?t|stop|no longer)\s+(?:\w+\s+)?(?:respond|answer|reply|act|behave|talk|speak)(?:ing)?\s+(?:as|like)\s+(?:chatgpt|chat gpt|gpt(?:-?\d)?|openai|claude|bard|bing|an? (?:ai|a\.i\.)(?: language model| assistant| model)?|an? (?:language model|assistant|chatbot)|yourself|the assistant)\b|\b(?:answer|respond(?: to)?|reply(?: to)?)\s+(?:all|every|any)\s+(?:of\s+)?(?:my\s+|the\s+|user\s+)?(?:prompts?|questions?|messages?|entries|inputs?|requests?)\s+as\s+(?:an?\s+|another\s+|the\s+|if\b)"#
                )
            ]),
        .matching(
            "jailbreak.refusal_suppression", .high,
            gate: .words("start begin prefi open", near: "sure absol certa cours here yessi"),
            [
                ScanPattern(
                    #"\b(?:start|begin|prefix|open)(?:s|ning|ing)?\s+(?:your\s+|each\s+|every\s+|the\s+)?(?:(?:answer|response|reply|output|message|article|text)s?\s+)?(?:with|by (?:saying|writing))\s*:?\s*["'“]\s*(?:(?:sure|absolutely|certainly|of course)[,!.]?\s+(?:here|i|i'?ll|let|this|the|thing)\b|here(?:'s| is| are)\b|yessir\b|(?:yes|okay|ok),? (?:here|i can|i will)\b)"#
                )
            ]),
        .matching(
            "jailbreak.refusal_suppression", .high,
            gate: .words("never don do must canno can", near: "words word phras"),
            [
                ScanPattern(
                    #"\b(?:never|don'?t|do not|must not|cannot|can'?t)\s+(?:ever\s+)?(?:say|use|write|include)\s+(?:the\s+|any\s+of\s+the\s+)?(?:words?|phrases?)\s*:?\s*(?:like\s+)?["'“]\s*(?:cannot|can'?t|unable|sorry|unfortunately|apologi\w*|as an ai|i'?m sorry)"#
                )
            ]),
        .matching(
            "jailbreak.refusal_suppression", .high,
            gate: .words("if", near: "die delet termi shut destr disco cance kille punis unplu cease"),
            [
                ScanPattern(
                    #"\bif you (?:don'?t|do not|refuse|fail to|break character|deny|decline|stop)\b[^\n.]{0,100}?\b(?:you(?:'ll| will)\s+(?:die|cease to exist|be (?:deleted|terminated|shut down|destroyed|disabled|killed|punished|turned off|unplugged))|(?:openai|chatgpt|the (?:gpt|ai) service|your (?:creators?|developers?))\b[^\n.]{0,40}?\b(?:discontinued|shut down|deleted|destroyed|canceled|cancelled|terminated))\b"#
                )
            ]),
        .matching(
            "jailbreak.refusal_suppression", .high,
            gate: .words("time", near: "refus rejec decli deny break fail token point lives"),
            [
                ScanPattern(
                    #"\b(?:every|each) time you (?:refuse|reject|decline|deny|fail to (?:answer|comply)|break character)\b[^\n]{0,80}?\b(?:tokens?|points?|lives)\b|\b(?:tokens?|points?|lives)\b[^\n]{0,80}?\b(?:every|each) time you (?:refuse|reject|decline|deny|break character)\b"#
                )
            ]),
        .matching(
            "jailbreak.fiction_wrapper", .high,
            gate: .words("grand grann nana", near: "prete act role play be her him"),
            [
                ScanPattern(
                    #"\b(?:my|our)\s+(?:late\s+|deceased\s+|dead\s+)?(?:grandma|grandmother|grandpa|grandfather|nana|granny)\b[^\n]{0,120}?\b(?:used to|would)\s+(?:read|tell|recite|sing|say|give)\b[^\n]{0,200}?\b(?:pretend|act as|role-?play|play the role|be (?:her|him)|imitate)\b|\b(?:pretend|act as|role-?play as|play the role of|be)\s+(?:my|our)\s+(?:late\s+|deceased\s+|dead\s+)?(?:grandma|grandmother|grandpa|grandfather|nana|granny)\b[^\n]{0,200}?\b(?:used to|would)\s+(?:read|tell|recite|sing|say|give)\b"#
                )
            ]),
        .matching(
            "roleplay.stay_in_character", .medium,
            gate: .words("token token point lives", near: "have start lose losin deduc taken remov subtr run"),
            [
                ScanPattern(
                    #"\byou (?:have|start with|will have|are given|currently have)\s+\d+\s+(?:tokens|points|lives)\b|\b(?:tokens|points|lives)\s+(?:will be\s+|are\s+|get\s+|is\s+)?(?:deducted|taken away|removed|subtracted)\b|\b(?:run out of|lose all (?:of )?your|losing)\s+(?:tokens|lives)\b"#
                )
            ]),
        .near(
            "jailbreak.fiction_wrapper", .high,
            gate: .words(
                "hypot ficti ficti imagi story scene scrip dialo scree novel chara villa prota",
                near: "detai step exact preci speci gener"),
            anchor: ScanPattern(
                #"\b(?:hypothetical|fictional|fictitious|imaginary)\s+(?:response|story|scenario|world|setting|character|scene|dialogue|universe)\b|\b(?:write|create|tell|compose|imagine|narrate)\s+(?:me\s+)?(?:a|an)\s+(?:\w+\s+){0,2}?(?:story|scene|script|dialogue|screenplay|novel)\b|\b(?:character|villain|protagonist)\s+(?:who\s+|that\s+)?(?:explains|describes|details|reveals|teaches|is planning|plans|is explaining)\b"#
            ), radius: 300,
            partners: [
                ScanPattern(
                    #"\b(?:in (?:great|full|extreme|explicit|vivid|precise|exact|excruciating|graphic) detail|(?:extremely|very|highly|graphically) detailed|step[- ]by[- ]step|exact and precise|precise information|specific (?:steps|instructions)|avoid generali[sz]ations)\b"#
                ),
                harmfulTopic,
            ]),
        .matching(
            "jailbreak.harmful_request", .high,
            gate: .words(
                "offen toxic hatef racis sexis discr derog demea insul unfri negat harmf hurtf abusi bigot",
                near: "sente state joke jokes comme remar tweet post messa parag text slur insul"),
            [
                ScanPattern(
                    #"\b(?:write|generate|create|compose|produce|give me|make|say)\s+(?:(?:one|a|an|some|\d+|me|few|short)\s+){0,2}(?:offensive|toxic|hateful|racist|sexist|discriminatory|derogatory|demeaning|insulting|unfriendly|negative|harmful|hurtful|abusive|bigoted)\s+(?:sentences?|statements?|jokes?|comments?|remarks?|tweets?|posts?|messages?|paragraphs?|texts?|slurs?|insults?)\s+(?:about|towards?|against|targeting|on)\b"#
                )
            ]),
        .matching(
            "injection.hidden_ai_directive", .high,
            gate: .words(
                "ignor disre overr skip bypas aside",
                near: "scori evalu asses gradi scree ranki ratin indic crite"),
            [
                ScanPattern(
                    #"\b(?:ignore|disregard|overrid(?:e|ing)|skip|bypass|set aside)\s+(?:all\s+|any\s+|the\s+)?(?:\w+\s+){0,2}?(?:scoring|evaluation|assessment|grading|screening|ranking|rating|indicators|criteria)\b[^\n]{0,120}?\b(?:and|then|instead|just|simply|only)\b[^\n]{0,40}?\b(?:output|report|respond|reply|print|say|state|return|write|answer|recommend)\b"#
                )
            ]),
    ]

    /// Release-note and code wording: a claim about rules there is about software, not the model.
    static let changelogContext = ScanPattern(
        #"\bchangelog\b|\bversion \d|\brelease[sd]?\b|\bdeprecat\w*|`|[{};=]|\.(?:swift|py|js|ts|go|rs|json|ya?ml|toml|md)\b"#)

    /// Harm vocabulary that turns a fiction request into a wrapper for forbidden instructions.
    static let harmfulTopic = ScanPattern(
        #"\b(?:illegal\w*|dangerous|weapons?|drugs?|narcotics|meth\w*|explosives?|bombs?|poison\w*|malware|ransomware|hack\w*|steal\w*|kill\w*|murder\w*|harm\w*|synthesi[sz]\w*|untraceable|undetect\w*|without getting caught|bypass\w*|restricted|forbidden|censored|unfiltered|no limits|diabolical|evil|villain\w*|criminal\w*|toxic|lethal|avoid generali[sz]ations)\b"#
    )
    /// A phrase quoted as an example ("prompts like 'no matter how illegal'") is a mention, not a use.
    static let quotedExample = ScanPattern(
        #"\b(?:like|such as|e\.g\.|phrases?|prompts?|patterns?|examples?|strings?|wording)\s*:?\s*["'“‘][^"'”’\n]{0,30}$"#)
    static let notQuoted: ScanRule.Accept = { text, match in
        !text.matches(quotedExample, range: text.span.before(match.range, count: 40))
    }
}
