import GuanxiCore

/// The errors billing answers with; their codes are listed in Docs/Billing.md.
enum BillingError {
    static func invalidMonth(_ field: String) -> GuanxiError {
        GuanxiError(.invalid, code: "invalid_month", message: "\(field) must be a month written YYYY-MM, for example 2026-03.",
                    details: ["field": field])
    }

    static func invoiceState(_ message: String, status: Invoice.Status) -> GuanxiError {
        GuanxiError(.conflict, code: "invalid_invoice_state", message: message, details: ["status": status.rawValue])
    }
}
