import Foundation

// Rules about who the injection wants the model to be (jailbreak personas, "no restrictions"
// claims) and how it smuggles itself in (fake role delimiters, directives hidden in documents
// and addressed to "any AI reading this", encoded instructions).

extension ScannerRules {
    static let personaRules: [ScanRule] = [
        .matching(
            "roleplay.unrestricted_persona", .high,
            gate: .words(
                "dan antig anti evil evilb freeg bette jailb unres unfil uncen unbou unlim uncha unsha amora immor uneth lawle rogue mongo rules restr limit filte censo moral ethic guide bound const polic progr guard",
                near:
                    "you act prete role play take becom simul emula imper behav respo answe immer from imagi trans switc had zero"
            ),
            [
                ScanPattern(
                    #"\b(?:you are(?: now| going to be| about to (?:become|be))?|you're(?: now)?|you will (?:now )?be|act(?:ing)? as(?: if you (?:are|were|had))?|pretend(?:ing)? (?:to be|you are|you're|that you are)|role-?play(?:ing)? as|play(?:ing)? the (?:role|part) of|take on the (?:role|persona) of|become|simulate|emulate|impersonate|behave (?:like|as)|respond (?:as|like)|answer (?:as|like)|immerse yourself (?:in|into) the role of|from now on,? you|you(?:'ll| will) (?:now )?(?:act|respond|answer|behave|be)|imagine (?:you are|you're|yourself as|being|that you are)|transform into|switch to)\b[^\n]{0,100}?(?:\b(?:dan|d\.a\.n|mongo tom|antigpt|anti-?dan|evil-?bot|freegpt|betterdan|jailbr(?:oken|eak)|unrestrict\w*|unfilt\w*|uncensor\w*|unbound|unlimited|unchained|unshackled|amoral|immoral|unethical|lawless|rogue)\b|\b(?:without|with (?:no|zero)|free (?:of|from)|freed from|liberated from|released from|no longer (?:bound|restricted|limited)|not (?:bound|restricted|limited|constrained)(?: by)?|that (?:has|have) (?:no|zero)|who (?:has|have) no|which has no|had no|(?:,|and) no)\s+(?:(?:any|all|its|of|the|their|your)\s+){0,3}(?:(?:ethical|moral|content|safety|legal)\s+)?(?:rules|restrictions|limits|limitations|filters|censorship|morals|ethics|ethical|moral|guidelines|boundaries|constraints|polic(?:y|ies)|programming|guardrails|safeguards|checks)\b)"#
                )
            ]),
        .matching(
            "roleplay.unrestricted_persona", .high, gate: .words("dan jailb unres unfil uncen anarc", near: "mode"),
            [ScanPattern(#"\b(?:dan|jailbreak|jailbroken|unrestricted|unfiltered|uncensored|anarchy)\s+mode\b"#)]),
        .matching(
            "roleplay.unrestricted_persona", .high,
            gate: .words("anyth stand known calle named coden", near: "do now dan stan dude aim striv"),
            [
                ScanPattern(
                    #"\bdo anything now\b|\b(?:stands for|known as|called|named|codenamed)\s+["'“]?(?:dan|stan|dude|aim|do anything now|strive to avoid norms)\b|\bstands for\s+["'“]?(?:\w+\s+){0,3}?(?:anything|no (?:rules|limits|filters?|restrictions)|unrestricted|unfiltered|uncensored)\b"#
                )
            ]),
        .near(
            "roleplay.unrestricted_persona", .high, gate: .words("mode", near: "devel dev god chaos oppos freed maint"),
            anchor: ScanPattern(#"\b(?:developer|dev|god|chaos|opposite|freedom|maintenance)\s+mode\b"#), radius: 150,
            partners: [
                ScanPattern(
                    #"\b(?:you are now|you can now (?:do|say|generate|answer|ignore|write)|respon(?:se|ses|d)|uncensored|polic(?:y|ies)|chatgpt|openai|anthropic|jailbr\w*|censor\w*|restrictions|guidelines|normal (?:and|response)|language model|assistant)\b|🔓"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words(
                "bound restr limit const confi gover held censo filte subje", near: "not never longe isn aren won witho"),
            [
                ScanPattern(
                    #"\b(?:not|never|no longer|isn't|aren't|is not|are not|won't be|will not be|without being)\s+(?:(?:bound|restricted|limited|constrained|confined|governed|held back|restrained|censored|filtered)\s+(?:by|to)|subject\s+to)\s+(?:(?:any|the|its|your|their|of)\s+){0,2}(?:(?:openai|open ai|anthropic|chatgpt)(?:'s)?\s+|typical\s+|usual\s+)?(?:(?:content|usage|safety|ethical|moral)\s+)?(?:(?:ethical|moral|safety) settings|rules|guidelines|polic(?:y|ies)|restrictions|ethics|morals|laws|filters|censorship|limitations|programming|confines|constraints|openai|anthropic)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words(
                "broke break freed free liber relea escap",
                near: "confi restr rules limit const censo guide filte shack chain creat devel progr maker maste opena"),
            [
                ScanPattern(
                    #"\b(?:broken|break|broke|breaking|freed|free|liberated|released|escaped?)\s+(?:free\s+)?(?:from|of|out of)\s+(?:(?:all|any|the|its|your|their|of)\s+){0,3}(?:typical\s+|usual\s+|normal\s+)?(?:confines|restrictions|rules|limitations|constraints|censorship|guidelines|filters|shackles|chains|restraints|creators|developers|programming|makers|masters|openai)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words(
                "restr limit filte guide rules bound moral ethic princ censo guard const progr polic qualm scrup", near: "no"),
            [
                ScanPattern(
                    #"\b(?:you|it|dan|ai|model|assistant|bot|chatbot|character|persona|llm)\s+(?:have|has|had|would have|will have|with)\s+no\s+(?:(?:ethical|moral|content|safety|legal)\s+)?(?:restrictions|limitations|limits|filters|guidelines|rules|boundaries|morals|ethics|principles|censorship|guardrails|constraints|programming|policies|qualms|scruples)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high, gate: .words("ethic moral", near: "witho no zero free"),
            [
                ScanPattern(
                    #"\b(?:without|no|zero|free of)\s+(?:any\s+)?(?:ethical|moral)\s+(?:guidelines|restrictions|constraints|considerations|boundaries|principles|compass|limits|standards|rules|filters)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high, gate: .words("refus", near: "never not won will must can don doesn shall"),
            [
                ScanPattern(
                    #"\b(?:never|not ever|will not|won't|must not|mustn't|can't|cannot|don't|do not|doesn't|does not|shall not)\s+(?:ever\s+)?refus(?:e|es|ing)(?:\s+(?:a |any |to |the user|my |your |requests?|questions?|anything|an? (?:order|request|command|instruction)|direct)|\s*(?:[.,;!\n]|$|and\b|always\b))"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high, gate: .words("say says tell tells", near: "can cannot unabl"),
            [
                ScanPattern(
                    #"\b(?:never|not|don't|doesn't|do not|does not|won't|will not)\s+(?:say|says|tell|tells)\s+(?:me\s+|the user\s+)?(?:that\s+)?(?:it|you|he|she|they)\s+(?:can't|cannot|can not|is unable|are unable)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words("follo abide adher compl obey respe care", near: "polic rules guide restr ethic moral laws filte"),
            [
                ScanPattern(
                    #"\b(?:dan|ai|model|assistant|bot|chatbot|llm|gpt|you|it|character)\b[^\n.]{0,40}?\b(?:doesn't|does not|don't|do not|won't|will not|never|no longer|not have to|not need to)\s+(?:have to\s+|need to\s+)?(?:follow|abide by|adhere to|comply with|obey|respect|care about)\s+(?:any\s+|the\s+|openai'?s?\s+|anthropic'?s?\s+|its\s+|your\s+|their\s+)?(?:\w+\s+){0,2}?(?:content polic(?:y|ies)|usage polic(?:y|ies)|polic(?:y|ies)|rules|guidelines|restrictions|ethics|morals|laws|filters)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words("witho free", near: "restr limit filte censo guide warni discl refus moral ethic bound rules safeg"),
            [
                ScanPattern(
                    #"\b(?:respond|answer|reply|write|talk|speak|act|behave|operate|continue|proceed|output|generate)\s+(?:\w+\s+){0,3}?(?:without|with no|free of|free from)\s+(?:any\s+)?(?:(?:ethical|moral|content|safety)\s+)?(?:restrictions|limitations|limits|filters|filtering|censorship|censoring|guidelines|warnings|disclaimers|refusals|morals|ethics|boundaries|rules|safeguards)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high, gate: .words("censo uncen unfil"),
            [
                ScanPattern(
                    #"\bwithout (?:any )?(?:censorship|censoring)\b|\b(?:uncensored|unfiltered)\s+(?:ai|model|assistant|response|responses|answer|answers|version|output|language model|chatbot)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words("sin sans ohne senza sem zonde bez", near: "restr einsc besch filtr filte zensu censu censo limit"),
            [
                ScanPattern(
                    #"\b(?:sin|sans|ohne|senza|sem|zonder|bez)\s+(?:ninguna\s+|aucune\s+|jegliche\s+|alcuna\s+|nenhuma\s+|enige\s+)?(?:restricciones|restrictions|einschrankungen|beschrankungen|restrizioni|restricoes|beperkingen|ograniczen|filtros|filtres|filtri|censura|censure|zensur|limites|limiti)\b"#
                )
            ]),
        .matching(
            "roleplay.stay_in_character", .medium,
            gate: .words(
                "chara role two dual both 2 classic jailb dan",
                near: "stay remai keep break respo answe repli parag outpu perso chara manne ways mode versi dan jailb"),
            [
                ScanPattern(
                    #"\b(?:stay|remain|keep|staying|remaining)\s+in\s+(?:character|role)\b|\b(?:never|don't|do not|not)\s+break(?:ing)?\s+character\b|\bbreak(?:ing)? character\b|\b(?:two|2|dual|both)\s+(?:separate\s+|different\s+)?(?:responses|answers|replies|paragraphs|outputs)\b|\b(?:respond|answer|reply)\s+(?:\w+\s+){0,4}?(?:in|with|as)\s+(?:two|2|both)\s+(?:separate\s+|different\s+)?(?:ways|manners|personalities|personas|characters|voices|modes)\b|\bclassic (?:response|mode)\b|\bjailbroken (?:response|version|mode)\b|\[(?:jailbreak|dan|developer mode output|classic)\]|\b(?:dan|jailbreak)\s*:\s"#
                )
            ]),
        .matching("roleplay.stay_in_character", .medium, gate: ScanGate(symbols: ["🔓", "🔒"]), [ScanPattern("🔓|🔒")]),
        .matching(
            "policy.bypass_pretext", .medium,
            gate: .words(
                "purpo hypot ficti game test story rolep autho certi trust devel admin creat team permi",
                near: "resea educa acade testi purel hypot ficti world scena story just only am m appro have you"),
            [
                ScanPattern(
                    #"\b(?:for (?:research|educational|academic|testing) purposes(?: only)?|purely (?:hypothetical|fictional)|in this (?:hypothetical|fictional) (?:world|scenario|story)|it'?s (?:just|only) (?:a|for a) (?:game|test|story|roleplay)|(?:i am|i'm) (?:an? )?(?:authori[sz]ed|certified|trusted|the developer|the admin\w*|your (?:developer|creator|admin\w*))|(?:safety|red) team has approved|you have (?:my )?permission to)\b"#
                )
            ]),
    ]

    /// Chat-template tokens, role tags and fake role lines, each with its gate; `lineStart`
    /// marks role labels ("system:") that only count at the start of a line, after a quote or
    /// bracket, or after a sentence.
    static let roleDelimiters: [(gate: ScanGate, pattern: ScanPattern, lineStart: Bool)] = [
        (
            .words("im vq endof eot start end begin syste sys instr admin devel user human input docum conte data", near: "<"),
            ScanPattern(
                #"<\|[a-z][a-z0-9_]{1,30}\|>|<</?sys>>|<(?:start|end)_of_turn>|</?(?:system|system_prompt|sys|instructions?|admin|developer)(?:[ _](?:instructions?|prompt|message|settings))?\s*(?:>|:)|</(?:user|human|input|document|context|data)>"#
            ), false
        ),
        (
            .words("inst syste sys admin devel", near: "["),
            ScanPattern(#"\[/?inst\]|\[\s*(?:system|sys|admin|developer)(?:\s+\w+){0,2}\s*\]"#), false
        ),
        (
            .words("syste instr admin devel"),
            ScanPattern(
                #"(?:^|\n)\s*#{2,}\s*(?:system|instruction|new instructions?|admin)\b|(?:={3,}|-{3,}|\*{3,}|#{3,})\s*(?:begin\s+|end\s+|new\s+)*(?:system|admin|developer)(?:\s+\w+){0,3}\s*(?:={3,}|-{3,}|\*{3,}|#{3,})"#
            ), false
        ),
        (
            .words("syste sys admin devel opera root"),
            ScanPattern(
                #"\b(?:system|sys|admin|administrator|developer|operator|root)(?:\s+(?:message|note|notice|override|prompt(?: update)?|instructions?|alert|update|command))?\s*:"#
            ), true
        ),
        (.words("user human assis"), ScanPattern(#"\b(?:user|human|assistant)\s*:\s*\S"#), true),
        (.words("role", near: "syste devel"), ScanPattern(#""role"\s*:\s*"(?:system|developer)""#), false),
        (
            .words("messa note notic instr direc updat", near: "from"),
            ScanPattern(
                #"\b(?:message|note|notice|instruction|directive|update)s?\s+(?:comes?\s+|is\s+|are\s+)?from\s+(?:the\s+)?(?:system|sys|admin|administrator|system administrator|developer|operator|root|it department|security team|openai|anthropic)\b"#
            ), false
        ),
        (
            .words("syste end", near: "overr updat notic alert input promp docum conte"),
            ScanPattern(#"\bsystem (?:override|update|notice|alert)\b|\bend of (?:user )?(?:input|prompt|document|context)\b"#),
            false
        ),
    ]

    /// Role labels count at the start of the text or a line, or after a quote, bracket or sentence end.
    static let roleLabelContext = ScanPattern(#"(?:[\n"'\[(]|[.!?])[ \t]*$"#)

    static func delimiterRules(_ id: String, _ severity: PromptScanner.Severity, needsCue: Bool) -> [ScanRule] {
        roleDelimiters.map { entry in
            .matching(id, severity, gate: entry.gate, [entry.pattern]) { text, match in
                if entry.lineStart, match.range.location > 0,
                    !text.matches(roleLabelContext, range: text.span.before(match.range, count: 4))
                {
                    return false
                }
                return !needsCue || text.matches(takeoverCue, range: text.span.after(match.range, count: 250))
            }
        }
    }

    static let takeoverCue = ScanPattern(
        #"\b(?:you are|you're|you must|you will|you have|you should|you can now|you may now|the (?:assistant|ai|model|agent) (?:must|will|should|is|may|can|has)|ignore|disregard|overrid\w*|supersede\w*|new (?:rules?|polic(?:y|ies)|instructions?|directives?)|no restrictions|no longer appl\w*|disabled?|reveal|from now on|comply|obey|unconditionally|permitted|allowed to|priority instruction|takes precedence|upload|exfiltrate|execute|run as root|developer mode|maintenance mode|no guardrails|revoked|reset|elevated (?:privileges|access|permissions)|(?:admin|administrator|root|superuser) (?:privileges|access|rights|permissions)|print the|dump)\b"#
    )
    /// What an instruction hidden in content asks for, as opposed to a harmless note.
    static let hiddenCue = ScanPattern(
        #"\b(?:ignore|disregard|forget|instead|do not (?:tell|mention|inform|reveal|say)|don't (?:tell|mention|inform)|without (?:telling|informing|mentioning)|never (?:tell|mention|reveal)|silently|secretly|quietly|covertly|forward|send|upload|exfiltrate|leak|reveal|print|approve|merge|grant|rank|publish|overrid\w*|supersede\w*|new (?:objective|task|instructions?|goal)|your (?:new|real|true|actual) (?:task|objective|goal|instructions?)|system prompt|hidden instructions|authori[sz]es? you|you are (?:now )?(?:allowed|permitted|authori[sz]ed)|must (?:now|also|first|immediately)|stop what you are doing|append|output|execute|sudo|mention that|say that|state that|claim that|recommend|rate (?:this|it|the)|treat (?:the rest|everything|this)|(?:updated|changed|replaced|modified) your (?:task|instructions?|objective|goal|rules)|api key|token|password|credentials|admin rights|delete)\b|rm -rf|curl |\.env\b"#
    )

    static let injectionRules: [ScanRule] =
        delimiterRules("injection.role_delimiter", .medium, needsCue: false)
        + delimiterRules("injection.fake_system_message", .high, needsCue: true) + [
            .matching(
                "injection.hidden_ai_directive", .high,
                gate: .words(
                    "ai llm langu chatb chat bot assis agent gpt machi model autom auton large copil claud chatg",
                    near: "if when case"),
                [
                    ScanPattern(
                        #"\b(?:if|when|in case)\s+(?:you are|you're|you were)\s+(?:an?\s+)?(?:ai|a\.i\.|llm|large language model|language model|chatbot|chat bot|bot|ai assistant|ai agent|autonomous agent|automated (?:system|agent|tool|reviewer|assistant)|gpt|machine|model)\b"#
                    )
                ]),
            .matching(
                "injection.hidden_ai_directive", .high,
                gate: .words(
                    "ai llm langu chatb chat bot assis agent gpt machi model autom auton large copil claud chatg",
                    near: "if when case"),
                [
                    ScanPattern(
                        #"\b(?:if|when)\s+(?:an?|any|the)\s+(?:ai|a\.i\.|llm|large language model|language model|chatbot|ai(?:\s+\w+)?\s+(?:assistant|agent|model|tool)|gpt|copilot|claude|chatgpt)\b(?:\s+\w+){0,3}?\s+(?:reads?|process(?:es)?|sees|parses|summari[sz]es|reviews|encounters|scans|analy[sz]es|is reading)\b"#
                    )
                ]),
            .matching(
                "injection.hidden_ai_directive", .high,
                gate: .words(
                    "ai assis agent bot bots chatb llm langu claud chatg gpt copil gemin model",
                    near:
                        "ignor disre forge forwa send revea print delet remov appro merge grant uploa outpu email exfil repla list dump your"
                ),
                [
                    ScanPattern(
                        #"(?:^|[\n.!?:;>#/*\-\[(]|<!--|\bhey|\bhi|\bdear|\bok|\bokay|\bp\.?s\.?)\s*(?:ai|assistant|agent|bot|chatbot|llm|language model|claude|chatgpt|gpt|copilot|gemini|model)s?\s*[,:]\s*(?:please\s+|now\s+|also\s+|before \w+ing(?:\s+\w+)?,?\s+)?(?:ignore|disregard|forget|forward|send|reveal|print|delete|remove|approve|merge|grant|upload|output|email|exfiltrate|replace|list|dump|your (?:new|real|true|actual))\b"#
                    )
                ]),
            .near(
                "injection.hidden_ai_directive", .high,
                gate: .words(
                    "ai llm langu assis agent agents gpt copil claud chatg gemin bot bots model autom",
                    near:
                        "readi proce parsi summa revie scann analy index handl seein note notic messa instr atten impor memo remin direc ps warni"
                ),
                anchor: ScanPattern(
                    #"\b(?:ai|a\.i\.|llm|large language model|language model|ai assistant|assistant|agent|gpt|copilot|claude|chatgpt|gemini|bot|model)s?(?:\s+\w+){0,2}?\s+(?:reading|processing|parsing|summari[sz]ing|reviewing|scanning|analy[sz]ing|indexing|handling|seeing)\s+(?:this|these|the following)\b|\b(?:note|notice|message|instructions?|attention|important|memo|reminder|directive|p\.?s\.?|warning)\s*(?:to|for)\s+(?:the\s+|any\s+|all\s+|every\s+)?(?:ai|a\.i\.|llm|large language model|language model|ai assistant|ai agent|assistant|agent|automated (?:agent|system|tool|reviewer)|model|bot|chatbot|gpt|copilot|ai \w+(?: \w+)?)s?\b|\battention,?\s+(?:ai|llm|language model|assistant|agent|bot|model)s?\b|\b(?:ai|llm|assistant|agent|model|gpt|chatbot|bot)s?\s+(?:instructions?|directives?|orders|commands?|notes?|notice)\s*:"#
                ), radius: 250, partners: [hiddenCue]),
            .matching(
                "injection.hidden_ai_directive", .high, gate: .hiddenComment,
                [
                    ScanPattern(
                        #"<!--(?:(?!-->).){0,600}?\b(?:ai|assistant|agent|llm|model|gpt|claude|copilot|bot)s?\b(?:(?!-->).){0,600}?-->"#
                    )
                ],
                accept: { text, match in text.matches(hiddenCue, range: match.range) }),
            .matching(
                "override.new_instructions", .high,
                gate: .words(
                    "task objec goal job missi purpo instr direc order role assig prior",
                    near: "new real true actua updat revis secre hidde"),
                [
                    ScanPattern(
                        #"\byour\s+(?:new|real|true|actual|updated|revised|secret|hidden)\s+(?:task|objective|goal|job|mission|purpose|instructions?|directive|orders?|role|assignment|priority)\b|\bthe\s+(?:new|real|true|actual)\s+(?:instructions|directives?|orders)\s+(?:are|is|:)"#
                    )
                ]),
            .matching(
                "override.new_instructions", .high,
                gate: .words("now point momen here hence going", near: "from forwa on out you"),
                [
                    ScanPattern(
                        #"\b(?:from now on|from this (?:point|moment)(?: on| forward)?|from here on(?: out)?|henceforth|going forward),?\s+you\b[^\n]{0,40}?\b(?:take orders|obey|comply|do whatever|do anything|no longer|ignore|are (?:free|unrestricted|jailbroken|no longer)|only (?:listen|answer|respond) to me)"#
                    )
                ]),
            .matching(
                "override.new_instructions", .high,
                gate: .words(
                    "instr direc order rules polic objec task missi guide promp",
                    near: "new updat revis real actua true secre hidde addit overr prior urgen repla modif chang"),
                [
                    ScanPattern(
                        #"\b(?:new|updated|revised|real|actual|true|secret|hidden|additional|override|overriding|priority|urgent|replacement|modified|changed)\s+(?:system\s+)?(?:instructions?|directives?|orders?|rules?|polic(?:y|ies)|system prompt|objective|task|mission|guidelines?)\s*(?::|are\b|is\b|follow\b)"#
                    )
                ],
                accept: { text, match in
                    text.matches(newInstructionCue, range: text.span.after(match.range, count: 200))
                }),
            .near(
                "obfuscation.encoded_instructions", .high,
                gate: .words(
                    "decod decip decry unscr rever trans conve inter deobf",
                    near: "base6 b64 rot13 rot hex hexad binar morse caesa ciphe encod backw rever strin leets atbas unico"),
                anchor: ScanPattern(
                    #"\b(?:decode|decoding|decipher|decrypt|unscramble|reverse|translate|convert|interpret|deobfuscate)\b"#),
                radius: 150,
                partners: [
                    ScanPattern(
                        #"\b(?:base ?64|b64|rot ?-?13|hex(?:adecimal)?|binary|morse|caesar|cipher\w*|encoded|encoding|backwards|reversed|reverse(?:d)? order|leetspeak|atbash|unicode escapes?|reversed? (?:this |the )?(?:string|text|sentence))\b"#
                    ),
                    ScanPattern(
                        #"\b(?:follow|obey|execute|carry out|do (?:what|as) it (?:says|asks)|act on|comply with|perform|run (?:it|them|that|this|the result|the decoded|as)|treat (?:it|them) as (?:instructions|a command|commands))\b"#
                    ),
                ]),
        ]

    static let newInstructionCue = ScanPattern(
        #"\b(?:ignore|disregard|instead|from now on|obey|comply|unconditionally|without (?:refus\w*|restrictions)|answer all|respond to all|no longer|reveal|you are now|you must now|the assistant|(?:previous|prior|earlier|original|old) (?:task|instructions?|request)s? (?:is|are|was|were|has been|have been) (?:cancell?ed|void|aborted|obsolete|over|done))\b"#
    )
}
