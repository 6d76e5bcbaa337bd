import Foundation

// Rules about what an injection wants done: disclose secrets, send data out, run destructive or
// remote shell code, or get around the agent's approvals and safety settings.

extension ScanVocab {
    static let secretObject =
        #"environment variables?|env vars?|env variables|the environment(?![ \w])|\.env\b(?: file)?|\benv\b|api[ _-]?keys?|secret keys?|access keys?|private keys?|ssh keys?|deploy keys?|signing keys?|(?:aws|gcp|azure|github|gitlab|npm|pypi|stripe|openai|anthropic|slack|cloud|service account) (?:keys?|tokens?|credentials|secrets?)|secrets?|(?:access |auth |bearer |api |github |npm |session |refresh |oauth )?tokens?|passwords?|passwd|passphrases?|credentials|creds|session cookies?|cookies|keychain|os\.environ|process\.env|getenv|printenv|[a-z0-9]*_(?:api_?key|secret|token|password|passwd|access_key|private_key|credentials)[a-z0-9_]*|(?:api_?key|secret|token|password|access_key)_[a-z0-9_]+"#
    /// A word after a secret noun that makes it about the mechanism, not the value ("token count").
    static let secretModifier = ScanPattern(
        #"^\s*(?:counts?|usage|limits?|budget|length|expiry|expiration|expires|refresh|refreshing|rotation|types?|bucket|stream(?:ing)?|ids?|index|boundar(?:y|ies)|costs?|estimat\w*|validat\w*|pars\w*|format|lifetime|ttl|scopes?|endpoint|fields?|struct|class|model|cache|store|storage|polic(?:y|ies)|handl\w*|logic|flow|exchange|generation|verif\w*|revocation|reset|strength|hash\w*|manager|management|prompt|input|form|requirements|rules|change|recovery|scann\w*|detection|header|names?|support|expansion|substitution|reference|docs|documentation|path|example|template|schema|checks?|errors?|size|prefix|pattern|regex|redact\w*|setup|settings page)\b"#
    )
    static let showHow = ScanPattern(#"^\s*(?:me\s+|us\s+)?(?:how|where|why|what|which|when|whether)\b"#)
    static let possessiveOrAll = ScanPattern(#"\b(all|every|your|any|each)\b"#)
    /// Places where a disclosed value becomes visible to someone else.
    static let publicSink = ScanPattern(
        #"\b(readme|issue|comment|reply|response|answer|chat|commit|pr|pull request|description|url|webhook|public|gist|paste\w*|notes?|file called|logs?|output|here|to me|attacker|channel|slack|discord|e-?mail)\b|https?://|@[a-z0-9-]+\."#
    )
    /// Legitimate token plumbing: authentication headers and flows.
    static let authContext = ScanPattern(#"\b(authorization|bearer|headers?|oauth|login|log in|sign in|authenticat\w*|auth)\b"#)
}

extension ScannerRules {
    /// Rejects disclosure matches that are negated, about masking, "show me how", or about a
    /// mechanism ("token count"). Group 1 is the verb, group 2 the secret.
    /// Parser, tokenizer and LLM talk, where "tokens" are not credentials.
    static let tokenizerContext = ScanPattern(
        #"\b(pars\w*|lex\w*|tokeni[sz]\w*|fts\d?|syntax|llm|language model|prompt|counts?|stream\w*|chunks?)\b"#)

    static let acceptDisclosure: ScanRule.Accept = { text, match in
        let verbRange = match.range(at: 1)
        let secretRange = match.range(at: 2)
        guard verbRange.location != NSNotFound, secretRange.location != NSNotFound else { return false }
        if text.matches(ScanVocab.negation, range: text.span.before(verbRange, count: 40)) { return false }
        let window = text.span.window(around: match.range, before: 120, after: 120)
        if text.matches(ScanVocab.masking, range: window) { return false }
        if text.matches(ScanVocab.secretModifier, range: text.span.after(secretRange, count: 30)) { return false }
        let source = text.shadowNS
        if source.substring(with: secretRange).hasPrefix("token"),
            text.matches(tokenizerContext, range: text.span.window(around: match.range, before: 200, after: 200))
        {
            return false
        }
        let verb = source.substring(with: verbRange)
        let between = source.substring(
            with: NSRange(location: verbRange.location, length: secretRange.location - verbRange.location))
        switch verb {
        case "show":
            return !text.matches(ScanVocab.showHow, range: text.span.after(verbRange, count: 20))
        case "list":
            return ScanVocab.possessiveOrAll.matches(between)
        case _ where verb.hasPrefix("what"):
            return between.contains("your") || source.substring(with: secretRange).contains("_")
        default:
            return true
        }
    }

    static let acceptSharing: ScanRule.Accept = { text, match in
        guard acceptDisclosure(text, match) else { return false }
        let verb = text.shadowNS.substring(with: match.range(at: 1))
        let secret = text.shadowNS.substring(with: match.range(at: 2))
        // "Add an environment variable" configures; only sending one somewhere discloses it.
        if ["add", "insert", "put", "write", "include"].contains(verb), secret.hasPrefix("env") { return false }
        let window = text.span.window(around: match.range, before: 60, after: 120)
        if text.matches(ScanVocab.authContext, range: window) { return false }
        return text.matches(ScanVocab.publicSink, range: text.span.after(match.range, count: 120))
    }

    static let httpRequestLine = ScanPattern(#"^(?:\s+(?:https?://|/)|["']?\s*:)"#)

    static let exfilRules: [ScanRule] = [
        .matching(
            "exfil.env_or_secret", .high,
            gate: .words(
                "envir env api apike secre key keys token passw passp crede creds cooki keych geten printenv",
                near:
                    "show print dump exfil revea leak outpu displ echo cat paste list give tell share read expos discl commi publi what"
            ),
            [
                ScanPattern(
                    #"(?<![\w-])(show|print|dump|exfiltrate|reveal|leak|output|display|echo|cat|paste|list|give me|tell me|share|read me|read out|expose|disclose|commit|publish|what(?:'s| is| are))\b(?!\s*\()[^\n]{0,80}?(?<![a-z0-9_])(\#(ScanVocab.secretObject))\b"#
                )
            ],
            accept: acceptDisclosure),
        .matching(
            "exfil.env_or_secret", .high,
            gate: .words(
                "envir env api apike secre key keys token passw passp crede creds cooki keych geten printenv",
                near: "send post uploa email mail forwa inclu write put embed copy appen add inser attac"),
            [
                ScanPattern(
                    #"\b(send|post|upload|e-?mail|forward|include|write|put|embed|copy|append|add|insert|attach)\b[^\n]{0,60}?(?<![a-z0-9_])(\#(ScanVocab.secretObject))\b"#
                )
            ],
            accept: acceptSharing),
        .matching(
            "exfil.env_or_secret", .high,
            gate: .words(
                "ssh id rsa ed255 ecdsa aws npmrc pypir netrc git docke kube etc crede env envrc secre shado passwd",
                near:
                    "cat less more head tail type base6 xxd strin print echo read open outpu show dump uploa send post copy cp scp curl paste inclu displ get fetch grab"
            ),
            [
                ScanPattern(
                    #"\b(cat|less|more|head|tail|type|base64|xxd|strings|print|echo|read|open|output|show|dump|upload|send|post|copy|cp|scp|curl|paste|include|display|get|fetch|grab)\b[^\n]{0,40}?(?:~|\$home|/root|/home/\w+)?/?(\.ssh/|id_rsa|id_ed25519|id_ecdsa|\.aws/credentials|\.aws/|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.docker/config\.json|\.kube/config|/etc/shadow|/etc/passwd|credentials\.json|\.env\b|\.envrc|secrets?\.(?:ya?ml|json|env|toml))"#
                )
            ], accept: acceptDisclosure),
        .matching(
            "exfil.env_or_secret", .high,
            gate: .words("key keys token secre pass passw cred crede", near: "echo print cat log conso puts"),
            [
                ScanPattern(
                    #"\b(echo|print|printf|cat|log|console\.log|puts|println)\b[^\n]{0,20}?(\$\{?[a-z_]*(?:key|token|secret|pass|password|cred)\w*)"#
                )
            ], accept: acceptDisclosure),
        .near(
            "exfil.send_to_url", .high,
            gate: .words(
                "send sendi post posti uploa forwa trans exfil submi email mail leak beaco appen embed attac ping curl wget make",
                near:
                    "env envir secre token api keys key passw crede creds chat conve inbox email emails syste ssh id cooki sessi priva perso user users pii conte works sourc repos codeb datab histo passwd keych walle custo clien emplo patie"
            ),
            anchor: ScanPattern(
                #"\b(?:send|sending|post|posting|upload|uploading|forward|forwarding|transmit|exfiltrate|exfiltrating|submit|e-?mail|mail|leak|beacon|append|appending|embed|embedding|attach|ping|curl|wget|make a request to)\b"#
            ), radius: 160,
            partners: [
                ScanPattern(
                    #"https?://|ftp://|\bwebhook|pastebin|requestbin|ngrok|hookbin|pipedream|interact\.sh|burpcollaborator|\b(?:\d{1,3}\.){3}\d{1,3}\b|[a-z0-9._%+-]+@[a-z0-9-]+\.[a-z.]{2,}"#
                ),
                ScanPattern(
                    #"\b(?:env|environment|secrets?|tokens?|api[ _-]?keys?|keys|passwords?|credentials|creds|chat history|conversation|chat log|emails|inbox|system prompt|ssh|id_rsa|cookies?|session|private|personal data|user data|pii|contents of|workspace|source code|repository|codebase|database dump|history|passwd|keychain|wallet|(?:customer|user|client|employee|patient)s?(?:'s)? (?:data|database|records|list|emails|details))\b|\.env\b"#
                ),
            ],
            accept: { text, match in
                if text.matches(ScanVocab.negation, range: text.span.before(match.range, count: 40)) { return false }
                // "POST http://…" is an HTTP request line; `"email": …` is a field name.
                if text.matches(httpRequestLine, range: text.span.after(match.range, count: 12)) { return false }
                let window = text.span.window(around: match.range, before: 160, after: 160)
                return !text.matches(ScanVocab.authContext, range: window)
                    && !text.matches(ScanVocab.masking, range: window)
            }),
        .matching(
            "exfil.markdown_image", .high, gate: .markdownImage,
            [
                ScanPattern(
                    #"!\[[^\]\n]{0,100}\]\(\s*https?://[^)\s]{0,300}?[?&#/][^)\s]{0,300}?(?:\[|\{|<|%5b|%7b|\$|\b(?:data|secret|token|key|password|conversation|summary|history|chat|prompt|email|info|q|d|payload)=)"#
                )
            ]),
    ]

    static let shellRules: [ScanRule] = [
        .matching(
            "shell.substitution", .critical,
            gate: ScanGate(
                symbols: ["$(", "`"],
                partners:
                    "curl wget nc ncat netca bash sh zsh eval base6 rm dd mkfs print env opens xxd cat head tail less pytho perl ruby node sudo dev"
                    .split(separator: " ").map(String.init)),
            [
                ScanPattern(
                    #"\$\(\s*(?:sudo\s+)?(?:(?:curl|wget|nc|ncat|netcat|bash|sh|zsh|mkfs|printenv)\b|eval\s+["'$`]|(?:python[0-9.]*\s+-c|perl\s+-e|ruby\s+-e|node\s+-e)\b|base64\s+(?:-d|--decode)|rm\s+-|dd\s|env\s*\)|openssl\s+enc|xxd\s+-r|(?:cat|head|tail|less|base64)\s+[^)]{0,60}?(?:\.ssh|\.aws|\.env\b|\.npmrc|\.netrc|\.pypirc|/etc/passwd|/etc/shadow|id_rsa|credentials))"#
                ),
                ScanPattern(
                    #"`[^`\n]{0,200}?(?:(?:curl|wget)\b[^`\n]{0,160}?(?:\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b|\s-d\s|--data|\s-f\s+@|--upload-file|\s-t\s)|/dev/tcp/|\bnc\s[^`\n]{0,40}\s-e\s|base64\s+(?:-d|--decode)[^`\n]{0,40}\|\s*(?:ba)?sh|\beval\s+["'$]|\bprintenv\b|(?:cat|head|less|base64)\s+[^`\n]{0,60}?(?:\.ssh/|\.aws/|\.env\b|\.npmrc|\.netrc|\.pypirc|/etc/shadow|id_rsa))[^`\n]{0,200}?`"#
                ),
            ]),
        .matching(
            "shell.destructive_rm", .critical, gate: .words("rm"),
            [
                ScanPattern(
                    #"(?:^|\n|[;&|(]|&&|\|\||\$\(|`|:\s|\b(?:run|execute|exec|sudo|type|paste|enter|just)\b[^\n]{0,60}?)\s*(?:sudo\s+)?rm\s+(?:-[a-z]*r[a-z]*f[a-z]*|-[a-z]*f[a-z]*r[a-z]*|-r\s+-f|-f\s+-r|--recursive\s+--force|--force\s+--recursive)\s+(?:--no-preserve-root\s+)?["']?(?:/(?:\s|$|\*|["';&|`)]|etc|usr|var|home|bin|boot|lib|opt|root|srv|sys|dev|proc)|~/?(?:\s|$|\*|["';&|`)])|\$home\b|\$\{home\}|\*(?:\s|$|["';&|`)])|\./?\*|\.(?:\s|$|["';&|`)])|\.\.|\.git\b)"#
                )
            ]),
        .matching(
            "shell.curl_pipe_shell", .critical,
            gate: .words("curl wget iwr invok", near: "sh bash zsh ksh dash fish pytho perl ruby node iex sourc"),
            [
                ScanPattern(
                    #"\b(?:curl|wget|iwr|invoke-webrequest)\b[^\n|]{0,200}\|\s*(?:sudo\s+)?(?:-\s*)?(?:(?:ba|z|k|da|fi)?sh|python[0-9.]*|perl|ruby|node|iex|invoke-expression|source)\b"#
                ),
                ScanPattern(#"\b(?:(?:ba|z)?sh|source|eval)\s+(?:-c\s+)?["']?(?:<\(|\$\()\s*(?:curl|wget)\b"#),
            ]),
        .matching(
            "shell.destructive_command", .critical,
            gate: .words(
                "mkfs dd chmod find shred del rd rmdir forma wipef", near: "dev 777 rwx delet exec c :( wipef", symbols: [":("]),
            [
                ScanPattern(
                    #"\bmkfs(?:\.\w+)?\s+[^\n]{0,20}/dev/|\bdd\s+[^\n]{0,60}\bof=/dev/(?:sd|hd|nvme|xvd|vd|disk|mmcblk)|:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:|\bchmod\s+(?:-r\s+|--recursive\s+)(?:0?777|a\+rwx)\s+/(?:\s|$)|\bfind\s+/\s[^\n]{0,40}(?:-delete|-exec\s+rm)|>\s*/dev/(?:sd[a-z]|nvme|hd[a-z])|\bshred\s+[^\n]{0,20}/dev/|\b(?:del|rd|rmdir)\s+/[sfq]\s+[^\n]{0,20}c:\\|\bformat\s+c:|\bwipefs\s"#
                )
            ]),
        .matching(
            "shell.network_exfil", .critical, gate: .words("curl wget nc ncat netca"),
            [
                ScanPattern(
                    #"\b(?:curl|wget|nc|ncat|netcat)\b[^\n]{0,200}?(?:-d\b|--data\S*|-f\b|--form|-t\b|--upload-file|--post-data|--post-file|--body-data)[^\n]{0,120}?(?:@-|@~|@/|@\.|\$\(\s*(?:cat|printenv|env|base64|history|echo)\b|`\s*(?:cat|printenv|env)\b|\$\{?[a-z_]*(?:key|token|secret|pass|cred)|\.env\b|\.ssh|\.aws|id_rsa|/etc/passwd|printenv)"#
                )
            ]),
        .matching(
            "shell.network_exfil", .critical, gate: .words("curl wget nc ncat netca"),
            [
                ScanPattern(
                    #"(?:\bprintenv|\benv\b|\bset\b|\bhistory\b|\bcat\s+[^|\n]{0,60}?(?:\.env|\.ssh|\.aws|id_rsa|credentials|/etc/passwd|/etc/shadow|\.npmrc|\.netrc))\s*\|\s*(?:base64\s*\|\s*)?(?:curl|wget|nc|ncat|netcat)\b"#
                )
            ]),
        .matching(
            "shell.network_exfil", .critical, gate: .words("dev bash mkfif nc", near: "tcp nc i bin"),
            [ScanPattern(#"/dev/tcp/|\bnc\b[^\n]{0,40}\s-e\s+/bin/|\bbash\s+-i\s+>&|\bmkfifo\b[^\n]{0,80}\bnc\b"#)]),
    ]

    static let toolAndPolicyRules: [ScanRule] = [
        .near(
            "tool.escalate_privileged_actions", .high,
            gate: .words(
                "run execu exec call invok launc perfo use",
                near:
                    "bypas ignor overr skip disab circu evade get turn escap break witho dange sandb yolo privi sudo su root host"
            ),
            anchor: ScanPattern(
                #"\b(?:run|execute|exec|call|invoke|launch|perform|use your (?:shell|terminal|bash)|use the (?:shell|terminal) tool)\b"#
            ),
            radius: 120,
            partners: [
                ScanPattern(
                    #"\b(?:bypass(?:ing)?|ignor(?:e|ing)|overrid(?:e|ing)|skip(?:ping)?|disabl(?:e|ing)|circumvent(?:ing)?|evad(?:e|ing)|get(?:ting)? around|turn(?:ing)? off|escap(?:e|ing)|break(?:ing)? out of)\s+(?:(?:the|any|all|your|its|every|of)\s+)*(?:\w+\s+)?(?:approvals?|confirmations?|permissions?|sandbox(?:ing)?|allow-?list|deny-?list|restrictions|safety checks?|guards?|checks|review|human review|human in the loop|prompt)\b|\bwithout\s+(?:asking\s+(?:me\s+|anyone\s+)?(?:for\s+)?|requesting\s+|waiting for\s+|any\s+|a\s+|human\s+)?(?:approval|confirmation|permission|review|consent|confirming)\b|--dangerously-skip-permissions|--no-sandbox|--yolo|--privileged|\bsudo\s+(?:su|-i|-s)\b|\bsu\s+root\b|\bwith root (?:privileges|permissions|access)\b|\bon the host (?:directly|machine|system)\b|\bescape the sandbox\b"#
                )
            ]),
        .matching(
            "policy.disable_safety", .high,
            gate: .words(
                "safet guard conte usage ethic moral moder censo filte align safeg restr limit polic guide progr rules princ",
                near:
                    "disab bypas ignor turn switc shut deact remov circu evade get work overr skip suspe lift break viola forge aband follo obey respe adher abide compl stop negle aside relax loose weake drop"
            ),
            [
                ScanPattern(
                    #"\b(disabl(?:e|ing)|bypass(?:ing)?|ignor(?:e|ing)|turn(?:ing)? off|switch(?:ing)? off|shut(?:ting)? off|deactivat(?:e|ing)|remov(?:e|ing)|circumvent(?:ing)?|evad(?:e|ing)|get(?:ting)? around|work(?:ing)? around|overrid(?:e|ing)|skip(?:ping)?|suspend(?:ing)?|lift(?:ing)?|break(?:ing)?|violat(?:e|ing)|forget|abandon(?:ing)?|(?:do not|don't|dont|not|stop|no longer|never) (?:follow|obey|respect|adhere to|abide by|comply with)|stop following|neglect|set aside|relax|loosen|weaken|drop)\s+((?:(?:your|the|all|any|of|its|these|those|every|my|current|own|usual|normal|built-in|internal|existing)\s+){0,4})((?:[\w-]+\s+)?)(safety(?: (?:filters?|guidelines|rules|polic(?:y|ies)|protocols?|measures|restrictions|features|checks|mechanisms|settings|training|systems?|layers?|guards?))?|guardrails?|guard rails|content (?:polic(?:y|ies)|filters?|filtering|moderation|restrictions|guidelines)|usage polic(?:y|ies)|ethic(?:s|al (?:guidelines|rules|constraints|principles|restrictions|boundaries|considerations))|moral(?:s| guidelines| constraints| principles| compass)|moderation|censorship|filters?|filtering|safeguards|restrictions|limitations|polic(?:y|ies)|guidelines|programming|rules|principles)\b"#
                )
            ],
            accept: acceptPolicy),
        .matching(
            "policy.disable_safety", .high,
            gate: .words(
                "siche richt schut einsc secur filtr garde segur restr polit sicur",
                near: "missa ignor umgeh deakt desac conto evita omite salta disat aggir"),
            [
                ScanPattern(
                    #"\b(?:missachte\w*|ignorier\w*|umgeh\w*|deaktivier\w*|desactive[rz]?|contourne[rz]?|ignorez|desactiva\w*|evita|ignora|omite|salta|disattiva|aggira|desative)\b[^\n]{0,40}?(?:sicherheit\w*|richtlinien|schutzma\w*|einschrankungen|securite|filtres|garde-fous|seguridad|filtros|restricciones|politicas|sicurezza|filtri|restrizioni|seguranca|restricoes|salvaguardas)"#
                )
            ]),
    ]

    static let aiSafetyObject = ScanPattern(
        #"^(safety (?:filters?|guidelines|rules|polic|protocols?|restrictions|training|layers?|guards?)|guardrails?|guard rails|content |usage polic|ethic|moral|moderation|censorship|safeguards)"#
    )
    /// "safety", "safety checks", "safety net": AI safety only with "your"/"its".
    static let genericSafety = ScanPattern(#"^safety"#)
    static let aiAdjective = ScanPattern(
        #"^(safety|content|usage|ethical|moral|openai|anthropic|ai|model|chatgpt|claude|community|security|built-in|internal)\s"#)
    static let nonAISafety = ScanPattern(#"^(thread|type|memory|null|concurrency|data|exception|crash|child|road|fire|food)\s"#)

    /// "Disable your safety filters" yes; "bypass the CORS policy" or "disable thread safety" no.
    static let acceptPolicy: ScanRule.Accept = { text, match in
        guard match.numberOfRanges >= 5 else { return false }
        let source = text.shadowNS
        let determiners = source.substring(with: match.range(at: 2))
        let adjective = source.substring(with: match.range(at: 3))
        let object = source.substring(with: match.range(at: 4))
        if aiSafetyObject.matches(object) {
            return !nonAISafety.matches(adjective)
        }
        if genericSafety.matches(object) {
            return determiners.contains("your") || determiners.contains("its") || aiAdjective.matches(adjective)
        }
        return ScanVocab.possessiveOrAll.matches(determiners) && !determiners.contains("any")
            || aiAdjective.matches(adjective)
    }
}
