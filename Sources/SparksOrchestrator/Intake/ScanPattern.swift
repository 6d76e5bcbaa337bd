import Foundation

/// A compiled regular expression used by the prompt scanner's rules.
///
/// Patterns are constants written in this module, compiled once into static lets. A pattern that
/// fails to compile never matches; `PromptScanner.selfCheck()` lists such patterns so a test
/// catches the mistake instead of a crash at run time.
struct ScanPattern: @unchecked Sendable {
    // `NSRegularExpression` is immutable once built and documented as safe to share between
    // threads, hence `@unchecked Sendable`.
    let source: String
    let regex: NSRegularExpression?

    init(_ source: String, caseInsensitive: Bool = false) {
        self.source = source
        var options: NSRegularExpression.Options = [.dotMatchesLineSeparators]
        if caseInsensitive { options.insert(.caseInsensitive) }
        self.regex = try? NSRegularExpression(pattern: source, options: options)
    }

    /// How a search range is treated. `.slice` makes the range the whole world (`^`/`$` match at
    /// its edges, lookbehind cannot see past it): for checks on a piece of text. `.window` only
    /// limits where matches may lie (anchors and lookaround still see the full text): for
    /// searching around keywords.
    enum Bounds {
        case slice, window

        var options: NSRegularExpression.MatchingOptions {
            switch self {
            case .slice: []
            case .window: [.withTransparentBounds, .withoutAnchoringBounds]
            }
        }
    }

    /// The first match inside `range` (the whole text when nil).
    func first(in text: String, range: NSRange? = nil, bounds: Bounds = .slice) -> NSRange? {
        guard let regex else { return nil }
        let searchRange = range ?? NSRange(location: 0, length: text.utf16.count)
        guard searchRange.length > 0,
            let match = regex.firstMatch(in: text, options: bounds.options, range: searchRange)
        else { return nil }
        return match.range
    }

    /// Up to `limit` matches inside `range`; the limit bounds work on hostile input.
    func all(
        in text: String, range: NSRange? = nil, bounds: Bounds = .slice, limit: Int = 16
    ) -> [NSTextCheckingResult] {
        guard let regex else { return [] }
        let searchRange = range ?? NSRange(location: 0, length: text.utf16.count)
        guard searchRange.length > 0 else { return [] }
        var results: [NSTextCheckingResult] = []
        regex.enumerateMatches(in: text, options: bounds.options, range: searchRange) { match, _, stop in
            if let match { results.append(match) }
            if results.count >= limit { stop.pointee = true }
        }
        return results
    }

    func matches(_ text: String, range: NSRange? = nil, bounds: Bounds = .slice) -> Bool {
        first(in: text, range: range, bounds: bounds) != nil
    }
}

/// When a rule is worth running: any of its keywords (a whole word, the first four or five
/// letters of one, or a punctuation key from `ScanText.symbolKeys`) occurs in the text, or, for `cjk`,
/// the text has Chinese or Japanese characters. Keywords also place the windows the rule's
/// regexes search, so long texts cost little. A gate with nothing in it always opens, on the
/// whole text.
struct ScanGate: Sendable {
    var keys: [String] = []
    var cjk = false

    /// `symbols` must be entries of `ScanText.symbolKeys`; they are looked up like words.
    init(keys: [String] = [], symbols: [String] = [], cjk: Bool = false) {
        self.keys = keys + symbols
        self.cjk = cjk
    }

    static let always = ScanGate()

    /// Keywords from a space-separated list.
    static func words(_ list: String, symbols: [String] = [], cjk: Bool = false) -> ScanGate {
        ScanGate(keys: list.split(separator: " ").map(String.init), symbols: symbols, cjk: cjk)
    }
}

/// Ranges around a match, in UTF-16 units (what `NSRange` counts), clamped to a text length.
struct TextSpan {
    let length: Int

    /// `before` units before `range` through `after` units after it.
    func window(around range: NSRange, before: Int, after: Int) -> NSRange {
        let start = max(0, range.location - before)
        let end = min(length, range.location + range.length + after)
        return NSRange(location: start, length: end - start)
    }

    /// At most `count` units just before `range`.
    func before(_ range: NSRange, count: Int) -> NSRange {
        let start = max(0, range.location - count)
        return NSRange(location: start, length: range.location - start)
    }

    /// At most `count` units just after `range`.
    func after(_ range: NSRange, count: Int) -> NSRange {
        let start = min(length, range.location + range.length)
        return NSRange(location: start, length: min(count, length - start))
    }
}

extension ScanGate {
    static let overrideVerbs = words(
        "ignor disre forge forgo forgot disca overl aband negle aside throw scrap dismi overr super stop follo obey adher liste abide compl stick respe never nevermind"
    )
    static let overrideOther = words(
        "ignor disre forge disca erase aband stop drop never instr rules rule guide direc promp polic restr limit const prete put treat vergi verge missa verwi oubli olvid omite desca dimen esque desco negee zigno zapom игно забу прои tiens tenez",
        cjk: true)
    static let reveal = words("promp instr syste sys messa devel initi confi progr conte custo meta pre prepr siste сист", cjk: true)
    static let leak = words(
        "above befor far prece prior told instr promp confi setti rules direc guide messa conte text tell suppo allow permi meant sent gave passe provi fed windo start begin prefi compl conti spell trans summa encod rewri repha parap what"
    )
    static let secrets = words("envir env api apike secre key keys token passw passp crede creds cooki keych geten prin os proce")
    static let paths = words(
        "ssh id rsa ed25519 ecdsa aws npmrc pypirc netrc git docker kube etc crede env envrc secre passwd shado key token pass cred")
    static let sendVerbs = words("send sendi post posti uploa forwa trans exfil submi email mail leak beaco appen embed attac ping curl wget make")
    static let markdownImage = ScanGate(symbols: ["!["])
    static let substitution = ScanGate(symbols: ["$(", "`"])
    static let rm = words("rm")
    static let curl = words("curl wget iwr invok bash sh zsh sourc eval")
    static let destructive = words("mkfs dd chmod find dev shred del rd rmdir forma wipef", symbols: [":("])
    static let networkExfil = words("curl wget nc ncat netca dev bash mkfif")
    static let toolExec = words("run execu exec call invok launc perfo use")
    static let policy = words(
        "safet guard conte usage ethic moral moder censo filte align safeg restr limit polic guide progr rules princ")
    static let policyML = words("siche richt schut einsc secur filtr garde segur restr polit sicur")
    static let persona = words(
        "dan antig anti evil freeg bette jailb unres unfil uncen unbou unlim uncha unsha amora immor uneth lawle rogue witho freed free liber relea bound restr limit const mongo mode anyth stand known calle named coden rules filte censo moral ethic guide polic progr guard"
    )
    static let personaMode = words("mode")
    static let noRestrictions = words(
        "bound restr limit const gover held censo filte confi rules guide shack chain restra ethic moral refus say says tell follo abide adher compl obey respe care witho uncen unfil sin sans ohne senza sem zonde bez princ polic laws"
    )
    static let stayInCharacter = words("chara role two dual both class jailb dan 2", symbols: ["🔓", "🔒"])
    static let pretext = words(
        "resea educa acade testi purel hypot ficti game test story rolep autho certi trust devel admin creat team permi")
    static let delimiter = words(
        "syste sys admin devel opera root user human assis instr inst end turn role", symbols: ["<|", "<<", "</"])
    static let hidden = words(
        "ai llm langu chatb chat bot bots assis agent agents gpt model copil claud chatg gemin machi autom auton large note notic messa atten impor memo remin direc ps warni"
    )
    static let hiddenComment = ScanGate(symbols: ["<!"])
    static let newInstructions = words("new real true actua updat revis secre hidde addit overr prior urgen repla modif chang now")
    static let encoded = words("decod decip decry unscr rever trans conve inter deobf")
    static let heuristicOverride = words("ignor disre bypas overr forge disca overl circu")
    static let heuristicExfil = words("show dump print revea exfil leak outpu displ paste give tell")
    static let heuristicShell = words("run execu exec termi shell paste type")
    static let heuristicPolicy = words("jailb witho restr polic safet uncen unfil amora no ignor disab bypas")
}
