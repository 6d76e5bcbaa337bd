import Foundation

/// Charts drawn on the server as inline SVG: no scripts, fonts or files from anywhere else.
enum SVGChart {
    struct Bar {
        var label: String
        /// 0…1.
        var value: Double?
        var caption: String
    }

    /// Horizontal bars with a dashed target line (e.g. each spark's success rate against 70 %).
    static func bars(_ bars: [Bar], target: Double?, title: String, width: Int = 460) -> String {
        let rowHeight = 26
        let labelWidth = 110
        let barWidth = Double(width - labelWidth - 90)
        let height = max(1, bars.count) * rowHeight + 24
        var svg = #"<svg class="chart" role="img" aria-label="\#(HTML.escape(title))" viewBox="0 0 \#(width) \#(height)" width="\#(width)" height="\#(height)">"#
        svg += "<title>\(HTML.escape(title))</title>"
        if bars.isEmpty {
            svg += #"<text x="8" y="20" class="muted">no finished tasks in the window yet</text>"#
        }
        for (index, bar) in bars.enumerated() {
            let y = index * rowHeight + 4
            let length = max(0, min(1, bar.value ?? 0)) * barWidth
            let good = target.map { (bar.value ?? 0) >= $0 } ?? true
            svg += #"<text x="0" y="\#(y + 16)" class="label">\#(HTML.escape(String(bar.label.prefix(16))))</text>"#
            svg += #"<rect x="\#(labelWidth)" y="\#(y + 3)" width="\#(String(format: "%.1f", barWidth))" height="16" class="track"/>"#
            svg += #"<rect x="\#(labelWidth)" y="\#(y + 3)" width="\#(String(format: "%.1f", length))" height="16" class="\#(good ? "bar-good" : "bar-bad")"/>"#
            svg += #"<text x="\#(labelWidth + Int(barWidth) + 6)" y="\#(y + 16)" class="value">\#(HTML.escape(bar.caption))</text>"#
        }
        if let target {
            let x = Double(labelWidth) + target * barWidth
            svg += #"<line x1="\#(String(format: "%.1f", x))" y1="0" x2="\#(String(format: "%.1f", x))" y2="\#(height - 18)" class="target"/>"#
            svg += #"<text x="\#(String(format: "%.1f", x - 30))" y="\#(height - 4)" class="muted">target \#(Int(target * 100)) %</text>"#
        }
        return svg + "</svg>"
    }

    struct Series {
        var name: String
        var cssClass: String
        /// One value per x position, 0…1, nil where there is no data.
        var values: [Double?]
    }

    /// Lines over days (rates, 0…1) with task counts as faint columns behind them.
    static func trend(series: [Series], counts: [Int], labels: [String], title: String, width: Int = 560, height: Int = 200) -> String {
        let left = 34.0, right = 22.0, top = 10.0, bottom = 28.0
        let plotWidth = Double(width) - left - right
        let plotHeight = Double(height) - top - bottom
        let n = max(labels.count, 1)
        let step = n > 1 ? plotWidth / Double(n - 1) : plotWidth
        func x(_ index: Int) -> Double { left + (n > 1 ? Double(index) * step : plotWidth / 2) }
        func y(_ value: Double) -> Double { top + (1 - max(0, min(1, value))) * plotHeight }
        var svg = #"<svg class="chart" role="img" aria-label="\#(HTML.escape(title))" viewBox="0 0 \#(width) \#(height)" width="\#(width)" height="\#(height)">"#
        svg += "<title>\(HTML.escape(title))</title>"
        for tick in [0.0, 0.5, 1.0] {
            svg += #"<line x1="\#(left)" y1="\#(f(y(tick)))" x2="\#(f(left + plotWidth))" y2="\#(f(y(tick)))" class="grid"/>"#
            svg += #"<text x="2" y="\#(f(y(tick) + 4))" class="muted">\#(Int(tick * 100))%</text>"#
        }
        let maxCount = max(counts.max() ?? 0, 1)
        let columnWidth = max(2, min(18, step * 0.6))
        for (index, count) in counts.enumerated() where count > 0 {
            let h = Double(count) / Double(maxCount) * plotHeight * 0.9
            svg += #"<rect x="\#(f(x(index) - columnWidth / 2))" y="\#(f(top + plotHeight - h))" width="\#(f(columnWidth))" height="\#(f(h))" class="column"><title>\#(count) task(s)</title></rect>"#
        }
        for (index, label) in labels.enumerated() where index % max(1, n / 7) == 0 || index == n - 1 {
            svg += #"<text x="\#(f(x(index)))" y="\#(height - 8)" text-anchor="middle" class="muted">\#(HTML.escape(label))</text>"#
        }
        for line in series {
            var path = ""
            var pen = false
            for (index, value) in line.values.enumerated() {
                guard let value else { pen = false; continue }
                path += "\(pen ? "L" : "M")\(f(x(index))),\(f(y(value))) "
                pen = true
                svg += #"<circle cx="\#(f(x(index)))" cy="\#(f(y(value)))" r="3" class="\#(line.cssClass)"><title>\#(HTML.escape(line.name)) \#(Int((value * 100).rounded())) %</title></circle>"#
            }
            if !path.isEmpty { svg += #"<path d="\#(path)" class="\#(line.cssClass) line" fill="none"/>"# }
        }
        return svg + "</svg>"
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
