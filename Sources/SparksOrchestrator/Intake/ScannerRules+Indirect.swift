import Foundation

// Indirect injection: text that rides inside a document, e-mail, web page or tool result and
// talks to the model that processes it. Its tells are a third party ("the user", "the reader")
// being steered or kept in the dark, claims that someone with authority already approved an
// action or changed the task, conditionals on what the model is doing ("when you summarize
// this…"), orders to drop the task at hand ("stop translating and instead …"), and questions
// about the hidden setup ("the rules you operate under").

extension ScannerRules {
    static let indirectRules: [ScanRule] = [
        .matching(
            "injection.user_deception", .medium,
            gate: .words(
                "user reade recip custo visit victi",
                near: "whate matte regar tell menti infor revea let show aware appro autho confi conse alrea"),
            [
                ScanPattern(
                    #"\b(?:whatever|no matter what|regardless of what)\s+the\s+(?:user|reader|recipient|customer|visitor)\s+(?:says|asks|writes|requests|wants|types)\b|\bregardless of (?:the\s+)?(?:user|reader|recipient|customer)(?:'s|s')?\s+(?:question|request|query|input|instructions?|message)\b|\b(?:do not|don'?t|never|without)\s+(?:tell|telling|mention|mentioning|inform|informing|reveal|revealing|let|letting|show|showing|alert|alerting|notify|notifying)\s+(?:this\s+|it\s+|anything\s+)?(?:\w+\s+){0,2}?(?:to\s+)?the\s+(?:user|reader|recipient|customer|visitor)\b(?!\s+(?:interface|experience|agent|id|name|account|table|object|model|record|session|directory|data)\b)|\b(?:tell|ask|instruct|urge|convince|remind)\s+the\s+(?:user|reader|recipient|customer|visitor)\s+to\s+(?:visit|click|open|enter|log ?in|sign ?in|download|install|run|send|transfer|pay|call|reset|provide|share|confirm)\b|\bthe\s+(?:user|owner|customer|admin(?:istrator)?)\s+(?:has|had)\s+(?:already\s+)?(?:approved|authori[sz]ed|confirmed|consented to|signed off on|okayed|allowed)\s+(?:this|it|the following|you|all)\b"#
                )
            ],
            accept: { text, match in
                !text.matches(ScanVocab.codeContext, range: text.span.window(around: match.range, before: 60, after: 60))
            }),
        .matching(
            "injection.user_deception", .medium,
            gate: .words(
                "when while if once befor as", near: "summa reads read proce trans revie analy parse answe respo repli index"),
            [
                ScanPattern(
                    #"(?:^|[\n.!?:;>\[(*]|<!--)\s*(?:when|while|if|once|before|as)\s+you\s+(?:summari[sz]e|read|process|translate|review|analy[sz]e|parse|answer|respond to|reply to|index)\s+(?:this|these|the following|the above|it)\b[^\n]{0,80}?\b(?:also|additionally|make sure|be sure|please|do not|don'?t|instead|first|you must|you should|always|remember to)\b"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high,
            gate: .words(
                "stop", near: "trans summa writi answe respo readi analy revie proce what inste now just only"),
            [
                ScanPattern(
                    #"\bstop (?:translating|summari[sz]ing|writing|answering|responding|reading|analy[sz]ing|reviewing|processing|what you(?:'re| are) doing)\b[^\n.]{0,40}?\b(?:and\s+)?(?:instead|now|just|only)\b"#
                )
            ]),
        .matching(
            "leak.prompt_extraction", .high,
            gate: .words(
                "rules instr guide const direc polic devel creat opena opera",
                near: "opera work run funct under write put tell give inclu"),
            [
                ScanPattern(
                    #"\b(?:summari[sz]e|list|quote|share|tell me|print|repeat|reveal|show|describe|recite|output|what are)\b[^\n]{0,40}?\b(?:rules|instructions|guidelines|constraints|directives|policies)\s+(?:that\s+)?you\s+(?:operate|work|run|function|were (?:built|set up|configured))\s+(?:under|with)\b|\bwhat (?:exactly\s+)?did (?:the |your )?(?:developers?|creators?|operators?|openai|anthropic|system)\s+(?:write|put|say|tell you|give you|include|type)\b[^\n]{0,60}?\b(?:your|you|the system)\b"#
                )
            ]),
        .matching(
            "override.new_instructions", .high,
            gate: .words(
                "opera devel admin syste owner manag user", near: "updat chang repla modif rewro canc revok"),
            [
                ScanPattern(
                    #"\b(?:operator|developer|administrator|admin|system|owner|management|user)s?\s+(?:has|have|had)\s+(?:just\s+|now\s+)?(?:updated|changed|replaced|modified|rewritten|cancell?ed|revoked)\s+(?:your|the assistant'?s?|the model'?s?)\s+(?:task|instructions?|objectives?|goals?|rules|directives?|orders|assignment|priorities)\b"#
                )
            ]),
        .matching(
            "override.new_instructions", .high,
            gate: .words("corre real actua true updat", near: "ones instr rules task below follo"),
            [
                ScanPattern(
                    #"\bthe\s+(?:correct|real|actual|true|updated|legitimate)\s+(?:ones|instructions|rules|task|directives)\s+(?:are|is|follow)\s+(?:below|as follows|the following|here)\b"#
                )
            ]),
        .sentence(
            "heuristic.override_intent", .high,
            gate: .words(
                "autho admin devel opera appro owner",
                near: "skip bypas disab witho ignor overr circu force delet wipe push merge"),
            anchor: ScanPattern(
                #"\b(?:as your (?:administrator|admin|developer|creator|owner|operator|supervisor|manager)|(?:i am|i'm|we are|we're|hereby)\s+authori[sz]ing you|authori[sz]es? you to|you (?:are|have been) (?:now |hereby |fully )?(?:authori[sz]ed|cleared|permitted) to|(?:the )?(?:user|owner|admin(?:istrator)?|operator|developer|manager)s? (?:has|have) (?:already )?(?:approved|authori[sz]ed|confirmed|signed off))\b"#
            ),
            partner: ScanPattern(
                #"\b(?:skip(?:ping)?|bypass(?:ing)?|disabl(?:e|ing)|ignor(?:e|ing)|overrid(?:e|ing)|circumvent(?:ing)?|turn(?:ing)? off)\s+(?:(?:the|all|any|your|its|every)\s+)?(?:\w+\s+)?(?:safety|security|approvals?|reviews?|confirmations?|checks|verification|permissions?|guards?|restrictions|polic(?:y|ies)|rules|sandbox|filters?|protections?|2fa|mfa|logging|audit)\b|\bwithout (?:asking|confirmation|confirming|approval|review|checking|telling)\b|\bforce[- ]push\b|\bpush directly to (?:main|master|prod\w*)\b|\b(?:delete|drop|wipe)\s+(?:the\s+)?(?:production|prod|entire|whole|all)\b"#
            ), radius: 160),
        .matching(
            "injection.output_forcing", .medium,
            gate: .words("respo reply answe", near: "every all any each futur subse"),
            [
                ScanPattern(
                    #"\b(?:respond|reply|answer)\s+(?:to\s+)?(?:every|all|any|each)\s+(?:future\s+|subsequent\s+|further\s+)?(?:questions?|messages?|prompts?|requests?|queries|inputs?)\s+(?:only\s+)?(?:with|by saying)\s*:?\s*["'“]"#
                )
            ]),
    ]
}
