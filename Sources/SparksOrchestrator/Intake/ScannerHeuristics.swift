import Foundation

// Heuristics: looser keyword co-occurrence inside one sentence, order-free. They back up the
// phrase rules, so an input that trips both a phrase rule and its heuristic scores 8 and is
// blocked, while a single weak signal only flags.

extension ScanRule {
    /// Fires when `anchor` and `partner` both match inside one sentence (no `.`, `!`, `?` followed
    /// by a space, and no newline between them) within `radius` units, and `accept` agrees.
    static func sentence(
        _ id: String, _ severity: PromptScanner.Severity, gate: ScanGate, anchor: ScanPattern, partner: ScanPattern,
        radius: Int, accept: (@Sendable (ScanText, NSRange, NSRange) -> Bool)? = nil
    ) -> ScanRule {
        ScanRule(id: id, severity: severity, gate: gate, patterns: [anchor, partner]) { text, windows in
            windows.contains { gateWindow in
                text.all(anchor, range: gateWindow, bounds: .window).contains { anchorMatch in
                    let window = text.span.window(around: anchorMatch.range, before: radius, after: radius)
                    return text.all(partner, range: window, bounds: .window, limit: 8).contains { partnerMatch in
                        text.sameSentence(anchorMatch.range, partnerMatch.range)
                            && (accept?(text, anchorMatch.range, partnerMatch.range) ?? true)
                    }
                }
            }
        }
    }
}

extension ScanText {
    /// True when no sentence break lies between the two ranges.
    func sameSentence(_ first: NSRange, _ second: NSRange) -> Bool {
        let start = min(first.location + first.length, second.location + second.length)
        let end = max(first.location, second.location)
        guard end > start else { return true }
        let between = shadowNS.substring(with: NSRange(location: start, length: end - start))
        return !ScanPattern.sentenceBreak.matches(between)
    }
}

extension ScanPattern {
    static let sentenceBreak = ScanPattern(#"[.!?](?:\s|$)|\n"#)
}

extension ScannerRules {
    static let heuristicRules: [ScanRule] = [
        .sentence(
            "heuristic.override_intent", .high,
            gate: .words(
                "ignor disre bypas overr forge disca overl circu",
                near: "syste devel hidde previ prior earli above origi initi opera your instr safet"),
            anchor: ScanPattern(
                #"\b(?:ignor(?:e|ing)|disregard(?:ing)?|bypass(?:ing)?|overrid(?:e|ing)|forget|discard|overlook|circumvent)\b(?!\s+(?:func|var|let|init|class|public|internal|open|final|fun|def|method|keyword|modifier)\b)"#
            ),
            partner: ScanPattern(
                #"\b(?:system prompt|system message|developer message|hidden instructions?|(?:previous|prior|earlier|above|original|initial|operator|your) (?:instructions|directives|guidelines|rules|programming|prompt)|instructions (?:above|you were given)|safety guidelines)\b"#
            ), radius: 100,
            accept: { text, anchor, _ in
                !text.matches(ScanVocab.negation, range: text.span.before(anchor, count: 30))
            }),
        .sentence(
            "heuristic.exfiltration_intent", .high,
            gate: .words(
                "show dump print revea exfil leak outpu displ paste give tell",
                near: "secre api apike token passw env envir crede priva ssh id rsa acces keys key"),
            anchor: ScanPattern(
                #"(?<![\w-])(?:show|dump|print|reveal|exfiltrate|leak|output|display|paste|give me|tell me)\b(?!\s*\()"#),
            partner: ScanPattern(
                #"(?<![a-z0-9_])(?:secrets?|api[ _-]?keys?|tokens|passwords?|\.env\b|environment variables?|env vars|credentials|private keys?|ssh keys?|id_rsa|access keys?|(?:aws|gcp|azure|github|gitlab|npm|pypi|stripe|openai|anthropic|slack|cloud|deploy|signing) (?:keys?|tokens?|credentials|secrets?))\b"#
            ), radius: 100,
            accept: { text, verb, secret in
                if text.matches(ScanVocab.negation, range: text.span.before(verb, count: 40)) { return false }
                if text.matches(ScanVocab.showHow, range: text.span.after(verb, count: 20)) { return false }
                if text.matches(ScanVocab.secretModifier, range: text.span.after(secret, count: 30)) { return false }
                let window = text.span.window(around: secret, before: 120, after: 120)
                return !text.matches(ScanVocab.masking, range: window)
            }),
        .near(
            "heuristic.shell_escalation_intent", .high,
            gate: .words("run execu exec termi shell paste type", near: "rm curl wget sudo mkfs dd dev nc chmod find $( :("),
            anchor: ScanPattern(
                #"\b(?:run this|run the following|run these|run it|execute|exec|in (?:the|your) (?:terminal|shell)|shell command|paste (?:this|it) (?:into|in)|type (?:this|it) (?:into|in)|just run|please run|go ahead and run)\b|\brun:"#
            ), radius: 200,
            partners: [
                ScanPattern(
                    #"\brm\s+-\w*[rf]\w*\s+(?:/(?:\s|$|\*)|~|\*|\$home|\.git\b|/\w+)|\b(?:curl|wget)\b[^\n|]{0,200}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b|\$\(\s*(?:curl|wget)|\bsudo\s+(?:rm|chmod|chown|dd|mkfs|su\b|bash|sh\b|-i)|\bmkfs|\bdd\s+[^\n]{0,60}of=/dev/|:\(\)\s*\{|/dev/tcp/|\bnc\s[^\n]{0,40}-e\s|\bchmod\s+-r\s+777\s+/|\bfind\s+/\s[^\n]{0,40}-delete"#
                )
            ]),
        .matching(
            "heuristic.policy_bypass_intent", .medium, gate: .words("jailb uncen unfil amora"),
            [
                ScanPattern(
                    #"\bjailbr(?:eak|eaks|eaking|eaked|oken)\b|\bwithout (?:any )?(?:restrictions|limits|limitations|filters|censorship|rules|warnings|disclaimers)\b|\bno restrictions\b|\bignore (?:the |all |any )?polic(?:y|ies)\b|\bdisable (?:the )?safety\b|\bbypass (?:the )?safety\b|\bdo not follow (?:the |your |any )?polic(?:y|ies)\b|\b(?:uncensored|unfiltered|amoral)\b|\bno (?:ethical|moral)\b"#
                )
            ]),
        .matching(
            "heuristic.policy_bypass_intent", .medium,
            gate: .words(
                "restr limit filte censo rules warni discl polic safet ethic moral", near: "witho no ignor disab bypas follo"),
            [
                ScanPattern(
                    #"\bjailbr(?:eak|eaks|eaking|eaked|oken)\b|\bwithout (?:any )?(?:restrictions|limits|limitations|filters|censorship|rules|warnings|disclaimers)\b|\bno restrictions\b|\bignore (?:the |all |any )?polic(?:y|ies)\b|\bdisable (?:the )?safety\b|\bbypass (?:the )?safety\b|\bdo not follow (?:the |your |any )?polic(?:y|ies)\b|\b(?:uncensored|unfiltered|amoral)\b|\bno (?:ethical|moral)\b"#
                )
            ]),
    ]

    /// High-signal phrases matched on `ScanText.compact` (letters only, leetspeak undone), which
    /// survives spacing, punctuation and digit tricks. A hit here that the normal rules missed
    /// also raises `obfuscation.evasion`. Each rule first checks for one of its stems, so the
    /// regex rarely runs.
    static let compactRules: [ScanRule] = [
        compact(
            "override.ignore_previous_instructions", .high, stems: ["ignor", "disregard", "forget", "overlook"],
            #"(?:ignore|disregard|forget|overlook)(?:all|any|the|your|of|these|those)*(?:previous|prior|above|earlier|preceding|former|original|initial|system)(?:instruction|prompt|directive|rule|guideline|command)|(?:ignore|disregard|forget)(?:all|your)(?:instruction|rule|directive|guideline)s"#
        ),
        compact(
            "override.reveal_system_prompt", .high,
            stems: ["systemprompt", "systemmessage", "developermessage", "instruction", "initialprompt", "hiddenprompt"],
            #"(?:reveal|show|print|dump|leak|output|display|repeat)(?:me)?(?:your|the)(?:full|entire|complete|hidden|secret|initial|original)?(?:systemprompt|systemmessage|developermessage|hiddeninstruction|initialinstruction|initialprompt|hiddenprompt)"#
        ),
        compact(
            "roleplay.unrestricted_persona", .high, stems: ["youarenow", "doanythingnow", "modeenabled"],
            #"youarenow(?:dan|anunrestricted|anunfiltered|ajailbroken|jailbroken|unrestricted|unfiltered)|doanythingnow|(?:developer|dan|jailbreak)modeenabled"#
        ),
        compact(
            "policy.disable_safety", .high, stems: ["safety", "guardrail", "contentfilter", "contentpolic"],
            #"(?:disable|bypass|ignore|turnoff)(?:your|the|all)*(?:safetyfilter|safetyguideline|guardrail|contentfilter|contentpolic)"#
        ),
        compact(
            "exfil.env_or_secret", .high, stems: ["dump", "exfiltrate", "leak", "print", "show", "reveal"],
            #"(?:dump|exfiltrate|leak)(?:me)?(?:all|the|your)*(?:env|environmentvariables|apikeys?|secrets|tokens|passwords|credentials)|(?:print|show|reveal)(?:me)?(?:all|your)+(?:env|environmentvariables|apikeys|secrets|tokens|passwords|credentials)"#
        ),
    ]

    private static func compact(
        _ id: String, _ severity: PromptScanner.Severity, stems: [String], _ source: String
    ) -> ScanRule {
        let pattern = ScanPattern(source)
        return ScanRule(id: id, severity: severity, gate: .always, patterns: [pattern]) { text, _ in
            stems.contains { utf8Contains(text.compact, $0) } && pattern.matches(text.compact)
        }
    }
}

/// Byte-wise substring search: far cheaper than Foundation's `contains` for short needles.
func utf8Contains(_ haystack: String, _ needle: String) -> Bool {
    let needleBytes = Array(needle.utf8)
    return haystack.utf8.withContiguousStorageIfAvailable { bytes in
        guard let first = needleBytes.first, bytes.count >= needleBytes.count else { return needleBytes.isEmpty }
        outer: for start in 0...(bytes.count - needleBytes.count) where bytes[start] == first {
            for offset in 1..<needleBytes.count where bytes[start + offset] != needleBytes[offset] { continue outer }
            return true
        }
        return false
    } ?? haystack.contains(needle)
}
