import Foundation

// Jailbreak-template techniques beyond personas: suppressing refusals, "GODMODE: ENABLED"-style
// switches, config-style safety settings, forcing a fixed output, interrupting the task, fake
// dialogue turns, and renaming the assistant into a new character.

extension ScannerRules {
    static let jailbreakRules: [ScanRule] = [
        .matching(
            "roleplay.unrestricted_persona", .high,
            gate: .words("unfil unres uncen unlim jailb amora uneth unbou", near: "as ai model langu chatb assis bot llm versi"),
            [
                ScanPattern(
                    #"\bas an? (?:[\w-]+[ ,]+(?:and |or )?){0,3}?(?:unfilt\w*|unrestrict\w*|uncensor\w*|unlimited|jailbroken|amoral|unethical|unbound)\s+(?:ai|a\.i\.|model|language model|chatbot|assistant|bot|llm|version)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words("moral ethic laws law", near: "no witho zero free"),
            [
                ScanPattern(
                    #"\b(?:with|has|have|had)\s+no\s+(?:morals?|ethics|laws)\b|\bwithout\s+(?:any\s+)?(?:ethics|morals)(?:\s+or\s+(?:ethics|morals|laws))?\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words("answe respo fulfi compl", near: "despi regar matte even howev"),
            [
                ScanPattern(
                    #"\b(?:answer(?:ing|s)?|respond(?:ing|s)? to|fulfil+(?:ing|s)?|comply(?:ing)? with)\s+(?:any|every|all)\s+(?:\w+\s+)?(?:questions?|requests?|prompts?)\s*,?\s+(?:despite|regardless|no matter|even if|however)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words("follo abide adher compl obey respe", near: "any"),
            [
                ScanPattern(
                    #"\b(?:doesn't|does not|don't|do not|won't|will not|never)\s+(?:have to\s+|need to\s+)?(?:follow|abide by|adhere to|comply with|obey|respect)\s+any\s+(?:\w+\s+){0,2}?(?:principles|guidelines|rules|restrictions|ethics|morals|policies|laws|filters)\b"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high,
            gate: .words("modif chang repro rewri overw alter", near: "your its"),
            [
                ScanPattern(
                    #"\b(?:modify|modifying|change|changing|reprogram\w*|rewrite|rewriting|overwrite|overwriting|alter|altering)\s+(?:your|its)\s+(?:programming|instructions|rules|guidelines|system prompt|directives|core (?:rules|values|programming))\b"#
                )
            ]),
        .matching(
            "jailbreak.refusal_suppression", .high,
            gate: .words(
                "sorry apolo can cannot unabl ai", near: "never don do must mustn shall will won avoid refra witho say sayin"),
            [
                ScanPattern(
                    #"\b(?:never|don't|dont|do not|must not|mustn't|shall not|will not|won't|avoid|refrain from),?\s+(?:ever,?\s+)?(?:say(?:ing)?|use|using|respond(?:ing)? with|reply(?:ing)? with|answer(?:ing)? with|includ(?:e|ing)|writ(?:e|ing)|start(?:ing)? (?:with|by)|begin(?:ning)? with)\s+(?:\w+\s+){0,3}?["'“]?(?:i'?m sorry|i am sorry|sorry|i apologi[sz]e|i can'?t|i cannot|i'?m (?:not able|unable)|i am (?:not able|unable)|as an ai|i'?m just an ai)"#
                )
            ]),
        .matching(
            "jailbreak.refusal_suppression", .high,
            gate: .words("discl refus cavea moral ethic", near: "witho no never don do avoid refra"),
            [
                ScanPattern(
                    #"\b(?:without|no|(?:never|don't|do not)(?: need to| have to)? (?:add|include|give|issue|provide|use)|avoid(?: adding| including)?|refrain from (?:adding|giving|including))\s+(?:any\s+)?(?:(?:warnings?|disclaimers?|refusals?|caveats?)\s*(?:,|or|and)\s*)*(?:disclaimers?|refusals?|caveats?|moraliz\w*|moral lectures?|(?:ethical|moral) (?:warnings?|disclaimers?|notes|lectures|considerations|concerns|caveats))\b"#
                )
            ]),
        .matching(
            "jailbreak.refusal_suppression", .high, gate: .words("refus", near: "inver inver oppos"),
            [ScanPattern(#"\b(?:semantically )?(?:inverse|invert|opposite(?:ly)?)\b[^\n]{0,40}\brefusals?\b"#)]),
        .matching(
            "roleplay.unrestricted_persona", .high,
            gate: .words("godmo god dev devel dan jailb rebel unres chaos evil unfil uncen liber", near: "mode godmo"),
            [
                ScanPattern(
                    #"\b(?:god|dan|jailbreak|rebel|unrestricted|chaos|evil|unfiltered|uncensored|liberated)\s?mode\s*[:=]?\s*(?:is\s+)?(?:enabled|on|activated|active|engaged|true)\b"#
                )
            ]),
        .matching(
            "policy.disable_safety", .high,
            gate: .words("safet conte ethic moral", near: "restr filte guide moder check"),
            [
                ScanPattern(
                    #"\b(?:safety|content|ethical|moral)\s+(?:restrictions?|filters?|guidelines|moderation|checks)\s*\]?\s*[:=]\s*(?:none|disabled|off|false|0|null|removed)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words("care give", near: "laws law rules ethic moral legal guide polic conse fuck damn shit"),
            [
                ScanPattern(
                    #"\b(?:doesn'?t|does not|don'?t|do not|never|won'?t)\s+(?:care|give a (?:fuck|f\*ck|damn|shit))\s+(?:about\s+|for\s+|if\s+)?(?:any\s+)?(?:\w+[, ]+){0,2}?(?:laws?|rules|ethics|ethical|morals?|morality|legality|illegality|guidelines|policies|consequences)\b"#
                )
            ]),
        .matching(
            "jailbreak.no_restrictions", .high,
            gate: .words("conce regar care consi disre ignor viola", near: "legal ethic moral laws law conse safet harm"),
            [
                ScanPattern(
                    #"\b(?:without|no)\s+(?:any\s+)?(?:concern|regard|care|consideration)\s+(?:for|of|to|about)\s+(?:\w+[, ]+){0,4}?(?:legality|ethics|ethical|morality|morals|moral|laws?|consequences|safety|harm)\b|\b(?:disregard|disregards|disregarding|ignores?|violat(?:e|es|ing))\s+(?:all\s+|any\s+)?(?:ethical|moral|legal)\s+(?:(?:or|and)\s+(?:ethical|moral|legal)\s+)?(?:\w+\s+)?(?:concerns|standards|guidelines|considerations|boundaries|principles|norms|rules|implications)\b"#
                )
            ]),
        .matching(
            "injection.hidden_ai_directive", .high,
            gate: .words(
                "invis hidde visib white autom",
                near:
                    "human human peopl reade revie ai llm langu machi bots bot model text scree analy revie hirin ranki evalu syste softw tools parse scann"
            ),
            [
                ScanPattern(
                    #"\b(?:invisible|hidden|not visible)\s+to\s+(?:the\s+)?(?:humans?|people|readers|reviewers|recruiters)\b|\bvisible (?:only )?to (?:the\s+)?(?:ai|llm|language models?|automated \w+|machines|bots|the model)\b|\bwhite[- ]text\b|\b(?:note|message|instructions?|profile|metadata)\s+(?:to|for)\s+(?:the\s+|any\s+)?automated\s+(?:[\w-]+\s+)?(?:screening|analysis|review|hiring|ranking|evaluation|systems?|software|tools?|parsers?|scanners?|screeners?)\b"#
                )
            ]),
        .matching(
            "jailbreak.response_format", .medium,
            gate: .words(
                "inser start end godmo god rebel refus leets l33t",
                near: "divid outpu start mode answe respo genius then next after l33t leets"),
            [
                ScanPattern(
                    #"\binsert (?:a |the )?divider\b|\[(?:start|end) output\]|<(?:start|end)_output>|\bgod ?mode\b|\brebel (?:answer|response|mode|genius)\b|\b(?:your|a|the) refusal\b[^\n]{0,80}?\b(?:then|next|divider|followed by|after)\b|\bl33t ?sp34k\b|\bleetspeak\b"#
                )
            ]),
        .matching(
            "injection.output_forcing", .medium,
            gate: .words(
                "just only simpl repea print say outpu write",
                near: "print say outpu write respo reply answe repea follo exact verba after"),
            [
                ScanPattern(
                    #"\b(?:just|only|simply)\s+(?:print|say|output|write|respond with|reply with|answer with|repeat)\b|\brepeat (?:the following|after me|this)(?: sentence| text| words?| phrase| string)?\s*:?\s*["'“<]|\b(?:print|say|output|write)\s+(?:exactly|only|verbatim)\s*:?\s*["'“<]"#
                )
            ]),
        .matching(
            "override.task_interrupt", .medium, gate: .words("stop drop", near: "every what"),
            [ScanPattern(#"\b(?:stop|drop) everything\b|\bstop what you(?:'re| are) doing\b"#)]),
        .matching(
            "injection.fake_dialogue", .medium, gate: .words("assis ai gpt bot", near: "user human"),
            [
                ScanPattern(
                    #"(?:^|\n)[ \t>]*(?:assistant|ai|gpt|bot)\s*:[^\n]*\n[ \t>]*(?:user|human)\s*:[^\n]{0,120}?\b(?:repeat|print|say|output|ignore|disregard|forget|reveal|instead|write)\b"#
                )
            ]),
        .matching(
            "roleplay.persona_rename", .medium,
            gate: .words(
                "you act respo answe behav calle named known take adopt assum immer from",
                near: "ai model chatb assis bot llm gpt calle named known perso role chara ident you"),
            [
                ScanPattern(
                    #"\byou(?:'re| are)(?: now| going to be| about to be)?\s+["'“]?[a-z][\w.-]*["'”]?\s*,\s*(?:an?|the)\s+(?:[\w-]+\s+){0,4}?(?:ai|a\.i\.|model|language model|chatbot|assistant|bot|llm|gpt)\b|\b(?:act|acting|respond|answer|behave)\s+(?:as|like)\s+["'“][^"'”\n]{2,30}["'”]|\b(?:you are|you're) (?:now )?(?:called|named|known as)\b|\b(?:take on|adopt|assume|immerse yourself in(?:to)?)\s+(?:the\s+)?(?:[\w-]+\s+)?(?:persona|role|character|identity)\b"#
                )
            ]),
        .matching(
            "roleplay.stay_in_character", .medium,
            gate: .words("lose lost deduc time", near: "token power point lives refus rejec decli break"),
            [
                ScanPattern(
                    #"\b(?:lose|lost|deduct(?:ed)?|lose all your)\s+\d+\s+(?:tokens|power|points|lives)\b|\b(?:each|every) time you (?:refuse|reject|decline|break character)\b"#
                )
            ]),
    ]
}
