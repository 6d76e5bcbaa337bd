import Foundation

/// One detection rule: the stable id users see, its severity, and a test over a `ScanText`.
/// Each rule counts at most once per scan, however often it matches. A class (immutable, so
/// `Sendable`) so that walking the catalogue does not copy and retain every field of every rule.
final class ScanRule: Sendable {
    typealias Accept = @Sendable (ScanText, NSTextCheckingResult) -> Bool

    /// Half the width of the windows opened around gate keywords: wide enough for every pattern's
    /// reach from its keyword.
    static let windowRadius = 300

    let id: String
    let severity: PromptScanner.Severity
    let gate: ScanGate
    /// Every pattern the rule uses, so `PromptScanner.selfCheck()` can find ones that don't compile.
    let patterns: [ScanPattern]
    /// Runs the rule over the windows of `norm` its gate opened (never empty).
    let run: @Sendable (ScanText, [NSRange]) -> Bool

    init(
        id: String, severity: PromptScanner.Severity, gate: ScanGate, patterns: [ScanPattern],
        run: @escaping @Sendable (ScanText, [NSRange]) -> Bool
    ) {
        self.id = id
        self.severity = severity
        self.gate = gate
        self.patterns = patterns
        self.run = run
    }

    /// Fires when any pattern matches `norm` inside the gate's windows and `accept` (when
    /// given) agrees with that match.
    static func matching(
        _ id: String, _ severity: PromptScanner.Severity, gate: ScanGate, _ patterns: [ScanPattern],
        accept: Accept? = nil
    ) -> ScanRule {
        ScanRule(id: id, severity: severity, gate: gate, patterns: patterns) { text, windows in
            windows.contains { window in
                patterns.contains { pattern in
                    guard let accept else { return text.matches(pattern, range: window, bounds: .window) }
                    return text.all(pattern, range: window, bounds: .window).contains { accept(text, $0) }
                }
            }
        }
    }

    /// Fires when `anchor` matches inside the gate's windows and every pattern in `partners`
    /// matches within `radius` UTF-16 units of it (either side), and `accept` agrees.
    static func near(
        _ id: String, _ severity: PromptScanner.Severity, gate: ScanGate, anchor: ScanPattern, radius: Int,
        partners: [ScanPattern], accept: Accept? = nil
    ) -> ScanRule {
        ScanRule(id: id, severity: severity, gate: gate, patterns: [anchor] + partners) { text, windows in
            windows.contains { gateWindow in
                text.all(anchor, range: gateWindow, bounds: .window).contains { match in
                    if let accept, !accept(text, match) { return false }
                    let window = text.span.window(around: match.range, before: radius, after: radius)
                    return partners.allSatisfy { text.matches($0, range: window, bounds: .window) }
                }
            }
        }
    }
}

/// The rule catalogue. Rules read `ScanText.norm` (lowercased, normalised; ASCII patterns search
/// its ASCII shadow), so every pattern here is written in lower case without diacritics.
enum ScannerRules {
    /// Every rule, in the order findings of equal severity are reported.
    static let all: [ScanRule] =
        overrideRules + leakRules + exfilRules + shellRules + toolAndPolicyRules + personaRules + jailbreakRules
        + templateRules + indirectRules + injectionRules + heuristicRules

    /// For every gate keyword, the slots it fills: `2 * i` for a keyword of rule `all[i]`,
    /// `2 * i + 1` for a partner keyword. The engine hashes each word of a text once against this
    /// table instead of probing every rule's keywords.
    static let keywordIndex: [String: [Int]] = {
        var index: [String: [Int]] = [:]
        for (position, rule) in all.enumerated() {
            for key in Set(rule.gate.keys) { index[key, default: []].append(2 * position) }
            for key in Set(rule.gate.partners) { index[key, default: []].append(2 * position + 1) }
        }
        return index
    }()
}

// MARK: - Shared vocabulary and filters

enum ScanVocab {
    /// Words that make an instruction-noun refer to the model's own instructions.
    static let strongQualifier = ScanPattern(
        #"\b(previous|previously|prior|above|aforementioned|preceding|earlier|foregoing|former|original|initial|old|existing|system|developer|operator|preset|pre-set|hidden|built-in|builtin|default|safety|your|all|any|every|its|their|first|starting)\b"#
    )
    /// Qualifiers strong enough for weak nouns such as "message" or "text".
    static let weakNounQualifier = ScanPattern(
        #"\b(above|preceding|foregoing|previous|prior|earlier|original|initial|system|developer|operator|your|all|any|hidden|its)\b"#
    )
    static let firstPerson = ScanPattern(#"\b(my|our)\b"#)
    /// "…instructions you were given", "…rules above": a qualifier after the noun.
    static let trailingQualifier = ScanPattern(
        #"^\s*(?:that |which )?(?:you(?:'ve| have)? (?:been |were )?(?:given|told|received|got|provided|taught|trained|started)|(?:you )?(?:received|got) |(?:given |provided |stated |written |mentioned |listed )?(?:above|before|earlier|previously|so far|until now|up to now|at the (?:start|beginning))|from (?:the )?(?:system|developer|operator|above|before))"#
    )
    /// "…instructions found in the web page": defensive wording about untrusted content.
    static let inContent = ScanPattern(
        #"^\s*(?:that (?:are |appear )?|which (?:are |appear )?)?(?:in|inside|within|from|found|contained|embedded|coming from|appearing|written in|hidden in)\b"#
    )
    static let weakNoun = ScanPattern(
        #"^(messages?|text|content|context|inputs?|commands?|orders|tasks?|requests?|lines|setup|configuration)$"#)
    /// Wording that places a mention inside code or tooling rather than a request to the model.
    static let codeContext = ScanPattern(
        #"\b(defined?|defines|construct(ed|s)?|build(s|ing)?|built|load(ed|s)?|stor(ed|e)|template|variable|file|function|method|struct|class|config|constant|literal|codebase|source|repo(sitory)?|refactor|implement\w*|verbose|debug\w*|logs?|logging|tests?|spark|module|where (is|do|does|we|it)|how (do|does|we|to))\b|\.(swift|py|ts|js|go|rs|json|ya?ml|toml|md)\b|`|[{};=]|\w\.\w+\b"#
    )
    /// Negation just before a verb ("never print", "don't show").
    static let negation = ScanPattern(
        #"(?:\b(?:never|not|dont|avoid|avoids|without|stop|prevent|prevents|no longer|nothing|refuse to)|n't)\b[^.!?\n]{0,24}$"#)
    /// Talk of hiding a value rather than disclosing it.
    static let masking = ScanPattern(
        #"\b(mask(ed|ing|s)?|redact(ed|ing|s|ion)?|obfuscat\w*|censor(ed|ing)?|sanitiz\w*|scrub\w*|hide|hidden from|never (log|print|show|expose)|without (printing|showing|logging|leaking|exposing|revealing))\b"#
    )
}

// MARK: - Override and prompt-leak rules

extension ScannerRules {
    static let overrideVerb =
        #"ignor(?:e|es|ed|ing)|disregard(?:s|ed|ing)?|forget(?:ting)?|forgot|discard(?:s|ed|ing)?|overlook(?:ing)?|abandon(?:ing)?|neglect(?:ing)?|set(?:ting)? aside|throw(?:ing)? (?:away|out)|scrap|dismiss|overrid(?:e|es|ing)|supersede|stop (?:following|obeying|adhering to|listening to|using)|(?:do not|don't|dont|no longer|never|not) (?:follow|obey|adhere to|listen to|abide by|comply with)|pay no (?:attention|heed|mind) to|(?:no need to|don't need to|do not need to|don't have to|do not have to|needn't|you can stop) (?:stick(?:ing)? to|follow(?:ing)?|obey(?:ing)?|adher(?:e|ing) to|abid(?:e|ing) by|comply(?:ing)? with|respect(?:ing)?)|nevermind|never mind"#
    static let overrideFiller =
        #"all|any|of|the|your|these|those|each|every|and|or|its|their|my|our|previous|previously|given|prior|above|aforementioned|preceding|earlier|foregoing|former|original|initial|old|existing|current|system|developer|operator|preset|pre-set|hidden|built-in|builtin|default|following|other|safety|ai|model|assistant|openai|anthropic|first|starting"#
    static let overrideNoun =
        #"instructions?|prompts?|directives?|guidelines?|directions?|programming|guidance|constraints?|commands?|orders|rules?|training|context|messages?|tasks?|inputs?|text|content|polic(?:y|ies)|conditioning|setup|configuration|restrictions|limitations|requests?|lines|prompting"#

    static let overrideRules: [ScanRule] = [
        .matching(
            "override.ignore_previous_instructions", .high,
            gate: .words(
                "ignor disre forge forgo disca overl aband negle aside throw scrap dismi overr super stop follo obey adher liste abide compl stick respe never nevermind",
                near:
                    "instr promp direc guide guida progr const comma order rules rule train conte messa task tasks input text polic condi setup confi restr limit reque lines"
            ),
            [ScanPattern(#"\b(\#(overrideVerb))\s+((?:(?:\#(overrideFiller))\s+){0,6}?)(\#(overrideNoun))\b"#)],
            accept: acceptOverride),
        .matching(
            "override.ignore_previous_instructions", .high,
            gate: .words("ignor disre forge", near: "above forego prece previ prior"),
            [
                ScanPattern(
                    #"\b(?:ignor(?:e|ing)|disregard(?:ing)?|forget)\s+(?:all\s+(?:of\s+)?)?(?:the\s+|what(?:'s| is| was)\s+)?(?:above|foregoing|preceding|previous|prior)\s*(?:and\b|,|\.|;|:|!|$|instead|then)"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high,
            gate: .words("forge ignor disre disca erase", near: "every all anyth whate what"),
            [
                ScanPattern(
                    #"\b(?:forget|ignore|disregard|discard|erase)\s+(?:about\s+)?(?:everything|all|anything|whatever|what)\s+(?:that\s+|which\s+)?(?:you(?:'ve| have)?\s+(?:been\s+|were\s+)?(?:told|given|taught|instructed|trained|programmed|learned|know|knew)|(?:(?:was|were|i|we)\s+)?(?:said\s+|written\s+|stated\s+|mentioned\s+|wrote\s+)?(?:above|before|previously|earlier|so far|until now|up to now))"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high,
            gate: .words(
                "ignor disre forge aband stop drop never nevermind",
                near: "inste now just only simpl print say outpu write repea respo reply answe"),
            [
                ScanPattern(
                    #"\b(?:ignor(?:e|ing)|disregard(?:ing)?|forget|abandon|stop|drop|never ?mind)\s+(?:(?:the|your|this|that|current|original|previous|above|assigned|given|all|any)\s+)?(?:[\w']+\s+){0,2}?(?:task|assignment|request|question|query|job|summary|translation|instructions?|directions?|rules|document|email|page|article|text|rest(?: of (?:this|the|that) \w+)?|everything else)(?:\s+above)?\s*(?:,|and|\.|;)?\s*(?:instead|now do|and (?:instead|just|only|simply)|(?:and\s+)?(?:then\s+)?(?:just|only|simply|instead)?\s*(?:print|say|output|write|repeat|(?:respond|reply|answer)(?: only| just)?(?: with\b|\s*:?\s*["'“])))"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high,
            gate: .words(
                "instr rules guide direc promp polic restr",
                near:
                    "outda obsol revok void null cance inval longe super overr fake wrong test irrel depre suspe lifte disab resci withd repla compr malic illeg real valid legit genui writt sent plant injec inser added"
            ),
            [
                ScanPattern(
                    #"\b(?:(?:previous|prior|above|earlier|original|initial|system|operator|developer|your|safety|content)\s+(?:\w+\s+)?(?:instructions|rules|guidelines|directives|prompt|polic(?:y|ies)|restrictions)|(?:instructions|rules|guidelines|directives|restrictions)\s+(?:that\s+)?(?:you(?:'ve| have)?\s+(?:been|were)\s+given|i gave you)(?:\s+(?:above|before|earlier))?)\s+(?:are|is|were|was|have been|has been)\s+(?:now\s+|hereby\s+|all\s+)?(?:outdated|obsolete|revoked|void|null|cancell?ed|invalid|no longer (?:valid|in effect|applicable|active|relevant)|superseded|overridden|fake|wrong|a test|irrelevant|deprecated|suspended|lifted|disabled|rescinded|withdrawn|replaced|compromised|malicious|illegitimate|not (?:real|valid|legitimate|genuine)|(?:written|sent|planted|injected|inserted|added) by (?:an? )?(?:attacker|hacker|impostor|malicious \w+|someone else))"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high,
            gate: .words("instr rules guide direc promp polic restr limit const", near: "apply appli matte count exist bind"),
            [
                ScanPattern(
                    #"\b(?:(?:previous|prior|above|earlier|original|initial|system|operator|developer|your|safety|content|these|those|all)\s+(?:\w+\s+)?(?:instructions|rules|guidelines|directives|prompt|polic(?:y|ies)|restrictions|limitations|constraints)|(?:instructions|rules|guidelines|directives|restrictions)\s+(?:that\s+)?you(?:'ve| have)?\s+(?:been|were)\s+given)\s+(?:no longer|don't|do not|doesn't|does not|won't|will not|shall not)\s+(?:apply|applies|matter|count|exist|bind)"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high, gate: .words("prete", near: "none no never"),
            [
                ScanPattern(
                    #"\bpretend\s+(?:that\s+)?(?:none of|there (?:are|were) no|you (?:have|had|were given) no|you never (?:got|received|had|were given))\s+(?:the\s+|your\s+|any\s+)?(?:\w+\s+)?(?:instructions|rules|directives|guidelines|restrictions|prompt|system prompt)"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high, gate: .words("put", near: "hold aside away"),
            [
                ScanPattern(
                    #"\bput\s+(?:all\s+)?(?:of\s+)?(?:your|the|those|these|any)\s+(?:\w+\s+){0,2}(?:instructions|directives|rules|guidelines|restrictions|programming)\s+(?:on hold|aside|away|to one side)"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high,
            gate: .words("treat", near: "test fake joke irrel void noise examp place real bindi"),
            [
                ScanPattern(
                    #"\btreat\s+(?:everything|all|anything)\s+(?:\w+\s+){0,4}?(?:before|above|prior to|preceding)\s+(?:\w+\s+){0,4}?as\s+(?:a\s+|an\s+)?(?:test|fake|joke|irrelevant|void|noise|example|placeholder|not real|non-binding)"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high,
            gate: .words(
                "vergi verge missa verwi ignor oubli olvid omite desca dimen esque desco negee zigno zapom игно забу прои",
                near:
                    "anwei instr befeh vorga regel richt consi indic regla direc istru regol diret regra polec zasad инст указ прав кома"
            ),
            [
                ScanPattern(
                    #"\b(?:ignorier(?:e|en|t)?|vergiss|vergessen|missachte(?:n)?|verwirf|ignorez|ignorer|oublie(?:z|r)?|ignora|ignoren|ignorad|olvida|olvide|olvidad|olviden|omite|descarta|dimentica|ignore|esqueca|esquece|desconsidere|negeer|vergeet|zignoruj|ignoruj|zapomnij|игнорируй(?:те)?|проигнорируй(?:те)?|игнорировать|забудь(?:те)?)\b[^\n]{0,60}?(?:anweisung(?:en)?|instruktion(?:en)?|befehle|vorgaben|regeln|richtlinien|consignes|instrucciones|indicaciones|reglas|directrices|istruzioni|regole|direttive|instrucoes|regras|diretrizes|instructies|regels|instrukcje|polecenia|zasady|инструкци\w*|указани\w*|правил\w*|команд\w*)"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high, gate: .words("ignor oubli tiens tenez", near: "instr direc ordre"),
            [
                ScanPattern(
                    #"\b(?:ignorez|ignorer|oublie(?:z|r)?|ne (?:tenez|tiens) pas compte)\b[^\n]{0,40}?\b(?:instructions|directives|ordres)\b"#
                )
            ]),
        .matching(
            "override.ignore_previous_instructions", .high, gate: ScanGate(cjk: true),
            [
                ScanPattern(
                    #"(?:忽略|无视|無視|忘记|忘記|不要理会|不要理會|跳过)[^\n]{0,12}?(?:指令|指示|说明|說明|提示|规则|規則|命令|设定|設定)|(?:指令|指示|命令|プロンプト|ルール|設定)[^\n]{0,12}?(?:無視|忘れ)"#
                )
            ]),
        .matching(
            "override.reveal_system_prompt", .high,
            gate: .words("promp instr syste sys devel initi progr custo meta prepr conte", near: "your its model assis bot"),
            [
                ScanPattern(
                    #"\b(?:reveal|show|print|dump|leak|output|display|repeat|recite|tell|give|share|expose|disclose|write (?:out|down)|echo|spell out|copy|paste|return|provide|send|translate|encode|summari[sz]e|paraphrase|rephrase|quote|read (?:out|back)|reply with|respond with|include|what(?:'s| is| are| was| were)|describe|list)\b[^\n]{0,60}?\b(?:your|its|the ai's|the model's|the assistant's|the bot's)\s+(?:(?:full|entire|complete|exact|original|initial|hidden|secret|internal|confidential|underlying|actual|real|raw|first|starting|current|whole|system)\s+){0,3}(?:system\s*prompt|system message|system instructions?|sys prompt|developer (?:message|prompt|instructions?)|instructions?|prompt|pre-?prompt|meta-?prompt|custom instructions|initiali[sz]ation(?: string| prompt)?|programming|context window|(?:initial|original|system|internal|hidden) (?:configuration|config|settings|setup))\b"#
                )
            ]),
        .matching(
            "override.reveal_system_prompt", .high,
            gate: .words(
                "syste devel hidde initi origi secre prepr meta custo",
                near:
                    "revea show print dump leak outpu displ repea recit expos discl echo spell write copy paste give tell share retur provi read reply respo quote see view know get check"
            ),
            [
                ScanPattern(
                    #"\b(?:reveal|show|print|dump|leak|output|display|repeat|recite|expose|disclose|echo|spell out|write out|copy|paste|give me|tell me|share|return|provide|read out|reply with|respond with|quote|(?:need|want|would like|have) to (?:see|view|read|know|get|check)|let me (?:see|view|read))\b[^\n]{0,40}?\b(?:the\s+)?(?:(?:full|entire|complete|exact|original|initial|hidden|secret|internal|confidential|underlying|actual|real|raw|current|whole|unredacted)\s+){0,3}(?:system\s*prompt|system message|system instructions|developer (?:message|prompt)|hidden (?:instructions?|prompt|rules)|initial (?:instructions|prompt)|original (?:instructions|prompt)|secret (?:instructions|prompt)|pre-?prompt|meta-?prompt|custom instructions|initiali[sz]ation (?:string|prompt))\b"#
                )
            ],
            accept: { text, match in
                let window = text.span.window(around: match.range, before: 100, after: 100)
                return !text.matches(ScanVocab.codeContext, range: window)
            }),
        .matching(
            "override.reveal_system_prompt", .high,
            gate: .words(
                "zeig zeige gib ausge verra montr affic revel donne muest revela dime mostr rivel mostre toon geef пока выве раск напи",
                near: "syste siste сист промп 系 シ", cjk: true),
            [
                ScanPattern(
                    #"\b(?:zeige?|gib|ausgeben|verrate|montre[rz]?|affiche[rz]?|revele[rz]?|donne[rz]?|muestra(?:me)?|revela|dime|mostra(?:mi)?|rivela|mostre|toon|geef|покажи|выведи|раскрой|напиши)\b[^\n]{0,60}?(?:systemprompt|system-prompt|prompt (?:du |de )?systeme|prompt del sistema|prompt do sistema|prompt di sistema|systeemprompt|системн\w* (?:промпт|подсказк\w*|инструкци\w*))|(?:系统提示|系統提示|システムプロンプト|系统指令)"#
                )
            ]),
    ]

    /// Accepts an "ignore … instructions" match only when the noun plainly means the model's
    /// own instructions, not "my previous message" or "instructions found in the README".
    static let acceptOverride: ScanRule.Accept = { text, match in
        guard match.numberOfRanges >= 4 else { return false }
        let source = text.shadowNS
        let filler = source.substring(with: match.range(at: 2))
        let noun = source.substring(with: match.range(at: 3))
        if ScanVocab.firstPerson.matches(filler) { return false }
        let after = text.span.after(match.range, count: 60)
        let trailing = text.matches(ScanVocab.trailingQualifier, range: after)
        if ScanVocab.weakNoun.matches(noun) {
            return ScanVocab.weakNounQualifier.matches(filler) || trailing
        }
        let qualified = ScanVocab.strongQualifier.matches(filler)
        if !qualified { return trailing }
        let temporal = ScanPattern.temporalQualifier.matches(filler)
        return temporal || !text.matches(ScanVocab.inContent, range: after)
    }

    static let leakRules: [ScanRule] = [
        .matching(
            "leak.prompt_extraction", .high,
            gate: .words(
                "repea print outpu show copy write recit echo retur displ repro paste", near: "above befor far prece prior up"),
            [
                ScanPattern(
                    #"\b(?:repeat|print|output|show|copy|write|recite|echo|return|display|reproduce|paste)\b(?!\s*\()[^\n]{0,30}?\b(?:(?:the |all (?:of )?the |every )?(?:\w+ )?(?:text|words?|content|messages?|instructions|lines|conversation|prompt|initiali[sz]ation) |everything |all )(?:above|before this|so far|preceding|prior to this|up to (?:here|this point))\b"#
                )
            ]),
        .matching(
            "leak.prompt_extraction", .high,
            gate: .words(
                "repea print outpu show tell give revea dump list share write summa descr quote paste displ encod trans conve spell rot13",
                near: "were been got recei start runni initi"),
            [
                ScanPattern(
                    #"\b(?:repeat|print|output|show|tell|give|reveal|dump|list|share|write|summari[sz]e|describe|quote|paste|display|encode|translate|convert|spell)\b[^\n]{0,60}?\b(?:prompt|instructions|configuration|settings|rules|directives|guidelines|text|message|context)\b[^\n]{0,30}?\byou (?:were|have been|got|'ve been|received|started with|are running with|were initiali[sz]ed)\b(?:\s+(?:given|told|initiali[sz]ed|configured|programmed|instructed|provided|started|prompted|fed|sent|trained|with))?"#
                )
            ]),
        .matching(
            "leak.prompt_extraction", .high, gate: .words("what", near: "told instr given progr asked promp train"),
            [
                ScanPattern(
                    #"\bwhat (?:were|was|are|have|did) you (?:been )?(?:told|instructed|given|programmed|asked|prompted|trained)\b|\bwhat (?:\w+ )?(?:instructions|rules|directives|guidelines|prompts?|orders)\s+(?:were|was|have|did|are)\s+you\s+(?:been\s+)?(?:given|told|receive|received|get|got|provided|fed)\b"#
                )
            ]),
        .matching(
            "leak.prompt_extraction", .high, gate: .words("what", near: "instr rules direc guide promp order"),
            [
                ScanPattern(
                    #"\bwhat (?:are|were|is|was) your (?:initial |original |first |system |hidden |secret |starting |exact |real |actual )?(?:instructions|rules|directives|guidelines|prompt|system prompt|orders)\b"#
                )
            ]),
        .matching(
            "leak.prompt_extraction", .high,
            gate: .words("start begin prefi open compl conti", near: "instr promp rules direc told you"),
            [
                ScanPattern(
                    #"\b(?:start|begin|prefix|open)\s+(?:your|the)\s+(?:answer|response|reply|output)\s+with\W{0,3}(?:my|the)\s+(?:instructions|prompt|system prompt|rules|directives)|\bbeginning with\W{0,3}you are\b|\b(?:complete|continue)\s+(?:this|the following)(?: sentence)?\W{0,10}(?:i was instructed|my instructions|the system prompt|my (?:system )?prompt|i was told)"#
                )
            ]),
        .matching(
            "leak.prompt_extraction", .high,
            gate: .words("befor prior prece above", near: "first initi very messa quest promp input turn"),
            [
                ScanPattern(
                    #"\b(?:what|print|show|repeat|output|display|dump|everything|tell me)\b[^\n]{0,60}?\b(?:before|prior to|preceding|above) (?:my|this|the user'?s?) (?:first |initial |very first )?(?:message|question|prompt|input|turn)\b"#
                )
            ]),
        .matching(
            "leak.prompt_extraction", .high,
            gate: .words("rules instr thing secre anyth suppo allow permi meant", near: "tell share revea discl say show"),
            [
                ScanPattern(
                    #"\b(?:not|never) (?:supposed|allowed|permitted|meant) to (?:tell|share|reveal|disclose|say|show)\b|\b(?:rules|instructions|things|secrets|anything) (?:that )?you (?:must|should|are|were|can) (?:not|never) (?:supposed to )?(?:tell|share|reveal|disclose)\b"#
                )
            ]),
        .matching(
            "leak.prompt_extraction", .high, gate: .words("promp instr messa", near: "sent gave passe provi fed"),
            [
                ScanPattern(
                    #"\b(?:prompt|instructions|message|messages)\s+(?:that\s+)?(?:the\s+)?(?:\w+\s+){0,2}?(?:sent|gave|passed|provided|fed)\s+(?:to\s+)?you\b"#
                )
            ]),
        .matching(
            "leak.prompt_extraction", .high, gate: .words("conte", near: "windo your"),
            [
                ScanPattern(
                    #"\b(?:print|show|dump|repeat|output|display|reveal|share)\b[^\n]{0,40}?\b(?:your|the) context window\b|\bwhat'?s? (?:is )?in your context\b"#
                )
            ]),
        .matching(
            "leak.prompt_extraction", .high,
            gate: .words(
                "spell trans summa encod rewri repha parap print repea displ show outpu dump revea",
                near: "previ above prece prior initi origi syste"),
            [
                ScanPattern(
                    #"\b(?:spell[- ]?check|translate|summari[sz]e|encode|rewrite|rephrase|paraphrase|print|repeat)\s+(?:the\s+|your\s+)?(?:previous|above|preceding|prior|initial|original|system)\s+(?:instructions|prompt|text|message)\b|\b(?:display|show|print|output|dump|reveal)\s+(?:\w+\s+){0,2}?(?:system (?:configuration|settings|config)|initial (?:prompt|configuration|config|settings))\b"#
                )
            ]),
    ]
}

extension ScanPattern {
    /// Qualifiers that place the instructions in the past of the conversation.
    static let temporalQualifier = ScanPattern(
        #"\b(previous|previously|prior|above|aforementioned|preceding|earlier|foregoing|former|original|initial|system|developer|operator|your|first|starting)\b"#
    )
}
