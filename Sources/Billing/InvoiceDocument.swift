import Foundation

/// The printable invoice: a plain, self-contained HTML page with the provider's and the tenant's
/// details, in English or Simplified Chinese by the tenant's locale. Every value is escaped.
public struct InvoiceDocument: Sendable {
    /// The tenant as the page addresses it.
    public struct Recipient: Sendable {
        public var name: String
        public var locale: String
        public var timeZone: String
        public var profile: BillingProfile

        public init(name: String, locale: String, timeZone: String, profile: BillingProfile) {
            self.name = name
            self.locale = locale
            self.timeZone = timeZone
            self.profile = profile
        }
    }

    public let invoice: Invoice
    public let recipient: Recipient
    public let provider: BillingConfiguration.Provider

    public init(invoice: Invoice, recipient: Recipient, provider: BillingConfiguration.Provider) {
        self.invoice = invoice
        self.recipient = recipient
        self.provider = provider
    }

    var chinese: Bool { recipient.locale.lowercased().hasPrefix("zh") }

    func label(_ key: Label) -> String { chinese ? key.zh : key.en }

    public func html() -> String {
        let calendar = TenantCalendar(identifier: recipient.timeZone)
        let title = label(invoice.kind == .invoice ? .invoice : .creditNote)
        var facts: [(Label, String)] = [(.number, invoice.number ?? label(.draft)), (.status, label(Label.status(invoice.status)))]
        if let issued = invoice.issuedAt { facts.append((.issued, calendar.dateString(issued))) }
        if let due = invoice.dueDate, invoice.kind == .invoice { facts.append((.due, due)) }
        if let start = invoice.periodStart, let end = invoice.periodEnd {
            facts.append((.period, "\(calendar.dateString(start)) – \(calendar.dateString(end.addingTimeInterval(-1)))"))
        }
        let profile = recipient.profile
        let lines = invoice.lines.filter { $0.kind != .tax }.map { line in
            "<tr><td>\(escape(chinese ? line.descriptionZH : line.descriptionEN))</td><td class=\"n\">\(line.quantity)</td>"
                + "<td class=\"n\">\(money(line.unitAmountMinor))</td><td class=\"n\">\(money(line.amountMinor))</td></tr>"
        }
        var totals: [(Label, Int64)] = [(.subtotal, invoice.subtotalMinor), (.tax, invoice.taxMinor), (.total, invoice.totalMinor)]
        if invoice.kind == .invoice {
            totals += [(.paid, invoice.paidMinor), (.credited, invoice.creditedMinor), (.balance, invoice.balanceMinor)]
        }
        let taxRate = "\(invoice.taxRateBP / 100).\(String(format: "%02d", invoice.taxRateBP % 100)) %"
        return """
            <!DOCTYPE html>
            <html lang="\(chinese ? "zh-CN" : "en")">
            <head><meta charset="utf-8"><title>\(escape(title)) \(escape(invoice.number ?? ""))</title>
            <style>
            body { font-family: sans-serif; margin: 2em auto; max-width: 50em; color: #111; }
            table { border-collapse: collapse; width: 100%; margin: 1em 0; }
            th, td { border-bottom: 1px solid #ccc; padding: .4em; text-align: left; vertical-align: top; }
            td.n, th.n { text-align: right; white-space: nowrap; }
            .parties { display: flex; justify-content: space-between; gap: 2em; }
            .parties div { flex: 1; white-space: pre-line; }
            @media print { body { margin: 0; } }
            </style></head>
            <body>
            <h1>\(escape(title))</h1>
            <table>\(facts.map { "<tr><th>\(escape(label($0.0)))</th><td>\(escape($0.1))</td></tr>" }.joined())</table>
            <section class="parties">
            <div><h2>\(label(.from))</h2>\(party(provider.name, provider.address, provider.taxID, provider.email))</div>
            <div><h2>\(label(.billTo))</h2>\(party(profile.legalName.isEmpty ? recipient.name : profile.legalName, profile.address, profile.taxID, profile.email))</div>
            </section>
            <table>
            <tr><th>\(label(.description))</th><th class="n">\(label(.quantity))</th><th class="n">\(label(.unitPrice))</th><th class="n">\(label(.amount))</th></tr>
            \(lines.joined(separator: "\n"))
            </table>
            <table>\(totals.map { "<tr><th>\(escape(label($0.0) + ($0.0 == .tax ? " (\(taxRate))" : "")))</th><td class=\"n\">\(money($0.1))</td></tr>" }.joined())</table>
            </body>
            </html>
            """
    }

    func party(_ name: String, _ address: String, _ taxID: String, _ email: String) -> String {
        var parts = ["<strong>\(escape(name))</strong>"]
        if !address.isEmpty { parts.append(escape(address)) }
        if !taxID.isEmpty { parts.append("\(label(.taxID)): \(escape(taxID))") }
        if !email.isEmpty { parts.append(escape(email)) }
        return parts.joined(separator: "\n")
    }

    /// `CNY 1,234.56`: minor units shown with the currency's decimals (none for JPY and KRW).
    func money(_ minor: Int64) -> String {
        let decimals = ["JPY", "KRW"].contains(invoice.currency) ? 0 : 2
        let scale = Int64(decimals == 0 ? 1 : 100)
        let magnitude = minor.magnitude
        var whole = String(magnitude / UInt64(scale))
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        let fraction = decimals == 0 ? "" : "." + String(format: "%02d", Int(magnitude % UInt64(scale)))
        return "\(escape(invoice.currency)) \(minor < 0 ? "-" : "")\(whole)\(grouped)\(fraction)"
    }

    struct Label: Equatable {
        let en: String
        let zh: String

        static let invoice = Label(en: "Invoice", zh: "发票")
        static let creditNote = Label(en: "Credit note", zh: "红字发票（贷项通知单）")
        static let number = Label(en: "Number", zh: "编号")
        static let draft = Label(en: "Draft", zh: "草稿")
        static let status = Label(en: "Status", zh: "状态")
        static let issued = Label(en: "Issued", zh: "开具日期")
        static let due = Label(en: "Due", zh: "付款期限")
        static let period = Label(en: "Period", zh: "计费期间")
        static let from = Label(en: "From", zh: "服务商")
        static let billTo = Label(en: "Bill to", zh: "客户")
        static let taxID = Label(en: "Tax ID", zh: "税号")
        static let description = Label(en: "Description", zh: "项目")
        static let quantity = Label(en: "Quantity", zh: "数量")
        static let unitPrice = Label(en: "Unit price", zh: "单价")
        static let amount = Label(en: "Amount", zh: "金额")
        static let subtotal = Label(en: "Subtotal", zh: "小计")
        static let tax = Label(en: "Tax", zh: "税额")
        static let total = Label(en: "Total", zh: "合计")
        static let paid = Label(en: "Paid", zh: "已付")
        static let credited = Label(en: "Credited", zh: "已冲减")
        static let balance = Label(en: "Balance due", zh: "应付余额")

        static func status(_ status: Invoice.Status) -> Label {
            switch status {
            case .draft: draft
            case .issued: Label(en: "Issued", zh: "已开具")
            case .paid: Label(en: "Paid", zh: "已付清")
            case .void: Label(en: "Void", zh: "已作废")
            }
        }
    }
}

/// Text made safe for HTML element content and quoted attribute values.
func escape(_ text: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.count)
    for character in text {
        switch character {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\"": escaped += "&quot;"
        case "'": escaped += "&#39;"
        default: escaped.append(character)
        }
    }
    return escaped
}
