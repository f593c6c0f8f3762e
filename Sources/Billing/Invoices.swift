import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// Invoices after they are made: reading (a workspace its own, operators any), issuing, voiding,
/// payments and credit notes, and the tenant's billing profile.
public struct Invoices: Sendable {
    let database: Database
    let configuration: BillingConfiguration
    let dunning: Dunning

    public init(database: Database, configuration: BillingConfiguration, dunning: Dunning) {
        self.database = database
        self.configuration = configuration
        self.dunning = dunning
    }

    static let columns: ColumnList = """
        tenant_id, id, kind, status, number, currency, period_start, period_end, subtotal_minor, tax_rate_bp, tax_minor, \
        total_minor, paid_minor, credited_minor, credited_invoice_id, reason, issued_at, due_date, paid_at, voided_at, created_at
        """

    static func invoice(_ row: PostgresRow) throws -> Invoice {
        var r = RowReader(row)
        let tenant = TenantID(try r.next(UUID.self))
        return Invoice(
            id: InvoiceID(try r.next(UUID.self)), tenantID: tenant,
            kind: Invoice.Kind(rawValue: try r.next(String.self)) ?? .invoice, status: Invoice.Status(rawValue: try r.next(String.self)) ?? .void,
            number: try r.next(String?.self), currency: try r.next(String.self), periodStart: try r.next(Date?.self),
            periodEnd: try r.next(Date?.self), subtotalMinor: try r.next(Int64.self), taxRateBP: try r.next(Int.self),
            taxMinor: try r.next(Int64.self), totalMinor: try r.next(Int64.self), paidMinor: try r.next(Int64.self),
            creditedMinor: try r.next(Int64.self), creditedInvoiceID: try r.next(UUID?.self).map(InvoiceID.init),
            reason: try r.next(String.self), issuedAt: try r.next(Date?.self), dueDate: try r.next(Date?.self).map(Self.dateText),
            paidAt: try r.next(Date?.self), voidedAt: try r.next(Date?.self), createdAt: try r.next(Date.self), lines: [])
    }

    /// A `date` column arrives as midnight UTC of that date.
    static func dateText(_ date: Date) -> String { TenantCalendar(timeZone: .gmt).dateString(date) }

    /// `rows` as invoices with their lines, read in the same transaction.
    static func withLines(_ rows: [PostgresRow], in transaction: Transaction) async throws -> [Invoice] {
        var invoices = try rows.map(invoice)
        guard !invoices.isEmpty else { return [] }
        let lines = try await transaction.query("""
            SELECT invoice_id, kind, description_en, description_zh, quantity, unit_amount_minor, amount_minor
              FROM invoice_lines WHERE invoice_id = ANY(\(invoices.map(\.id.uuid))) ORDER BY invoice_id, position
            """)
        var byInvoice: [UUID: [InvoiceLine]] = [:]
        for row in lines {
            var r = RowReader(row)
            let invoice = try r.next(UUID.self)
            byInvoice[invoice, default: []].append(InvoiceLine(
                kind: InvoiceLine.Kind(rawValue: try r.next(String.self)) ?? .credit, descriptionEN: try r.next(String.self),
                descriptionZH: try r.next(String.self), quantity: try r.next(Int64.self), unitAmountMinor: try r.next(Int64.self),
                amountMinor: try r.next(Int64.self)))
        }
        for index in invoices.indices { invoices[index].lines = byInvoice[invoices[index].id.uuid] ?? [] }
        return invoices
    }

    // MARK: Reading

    /// The workspace's own invoices and credit notes, newest first; drafts (and drafts voided before
    /// issue), which have no number, are not shown.
    public func list(_ tenant: TenantID, _ page: PageRequest) async throws -> Page<Invoice> {
        let before = page.after?.after ?? UUID.maximum
        let rows = try await database.withTenant(tenant) { scoped in
            try await Self.withLines(try await scoped.query("""
                SELECT \(columns: Self.columns) FROM invoices
                 WHERE tenant_id = \(tenant.uuid) AND number IS NOT NULL AND id < \(before)
                 ORDER BY id DESC LIMIT \(page.limit + 1)
                """), in: scoped)
        }
        return Page(rows: rows, limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    /// One of the workspace's invoices; a draft, another tenant's or a missing one is `invoice_not_found`.
    public func get(_ tenant: TenantID, _ id: InvoiceID) async throws -> Invoice {
        try await database.withTenant(tenant) { try await Self.get(tenant, id, in: $0) }
    }

    static func get(_ tenant: TenantID, _ id: InvoiceID, in scoped: Transaction) async throws -> Invoice {
        let rows = try await scoped.query("""
            SELECT \(columns: Self.columns) FROM invoices WHERE tenant_id = \(tenant.uuid) AND id = \(id.uuid) AND number IS NOT NULL
            """)
        guard let invoice = try await Self.withLines(rows, in: scoped).first else { throw GuanxiError.notFound("invoice") }
        return invoice
    }

    /// The printable page of one of the workspace's invoices, in its language, with its details.
    public func document(_ tenant: TenantID, _ id: InvoiceID) async throws -> InvoiceDocument {
        try await database.withTenant(tenant) { scoped in
            let invoice = try await Self.get(tenant, id, in: scoped)
            let (name, locale, zone) = try await scoped.rows("SELECT name, locale, time_zone FROM tenants WHERE id = \(tenant.uuid)",
                                                             as: (String, String, String).self)[0]
            let recipient = InvoiceDocument.Recipient(name: name, locale: locale, timeZone: zone, profile: try await Self.profile(tenant, in: scoped))
            return InvoiceDocument(invoice: invoice, recipient: recipient, provider: configuration.provider)
        }
    }

    /// Any tenant's invoice, for operators.
    public func forOperator(_ id: InvoiceID) async throws -> Invoice {
        try await database.withHost { host in try await Self.locked(id, in: host, lock: false) }
    }

    /// Invoices across tenants, newest first, optionally of one tenant and one status.
    public func listForOperator(tenant: TenantID?, status: Invoice.Status?, _ page: PageRequest) async throws -> Page<Invoice> {
        let before = page.after?.after ?? UUID.maximum
        let rows = try await database.withHost { host in
            try await Self.withLines(try await host.query("""
                SELECT \(columns: Self.columns) FROM invoices
                 WHERE (\(tenant?.uuid)::uuid IS NULL OR tenant_id = \(tenant?.uuid))
                   AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue)) AND id < \(before)
                 ORDER BY id DESC LIMIT \(page.limit + 1)
                """), in: host)
        }
        return Page(rows: rows, limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    static func locked(_ id: InvoiceID, in host: Transaction, lock: Bool = true) async throws -> Invoice {
        let rows = lock
            ? try await host.query("SELECT \(columns: Self.columns) FROM invoices WHERE id = \(id.uuid) FOR UPDATE")
            : try await host.query("SELECT \(columns: Self.columns) FROM invoices WHERE id = \(id.uuid)")
        guard let invoice = try await withLines(rows, in: host).first else { throw GuanxiError.notFound("invoice") }
        return invoice
    }

    /// The payments recorded against an invoice, oldest first.
    public func payments(_ id: InvoiceID) async throws -> [Payment] {
        try await database.withHost { host in
            _ = try await Self.locked(id, in: host, lock: false)
            return try await host.rows("""
                SELECT id, invoice_id, amount_minor, currency, received_at, reference, recorded_by
                  FROM payments WHERE invoice_id = \(id.uuid) ORDER BY id
                """, as: (UUID, UUID, Int64, String, Date, String, String).self).map {
                Payment(id: PaymentID($0.0), invoiceID: InvoiceID($0.1), amountMinor: $0.2, currency: $0.3, receivedAt: $0.4,
                        reference: $0.5, recordedBy: $0.6)
            }
        }
    }

    // MARK: Lifecycle

    /// Gives a draft its number and due date.
    public func issue(_ id: InvoiceID, now: Date = Date()) async throws -> Invoice {
        try await database.withHost { host in
            let invoice = try await Self.locked(id, in: host)
            guard invoice.status == .draft else {
                throw BillingError.invoiceState("Only a draft can be issued; this invoice is \(invoice.status.rawValue).", status: invoice.status)
            }
            try await InvoiceNumbering.issue([id.uuid], now: now, configuration: configuration, in: host)
            return try await Self.locked(id, in: host, lock: false)
        }
    }

    /// Voids a draft, or an issued invoice that has no payment and no credit note (it keeps its
    /// number, so the numbering stays without gaps).
    public func void(_ id: InvoiceID, now: Date = Date()) async throws -> Invoice {
        let invoice = try await database.withHost { host in
            let invoice = try await Self.locked(id, in: host)
            guard invoice.kind == .invoice, invoice.status == .draft || (invoice.status == .issued && invoice.paidMinor == 0 && invoice.creditedMinor == 0) else {
                throw BillingError.invoiceState(
                    "Only a draft, or an issued invoice without payments or credit notes, can be voided; issue a credit note instead.",
                    status: invoice.status)
            }
            try await host.query("UPDATE invoices SET status = 'void', voided_at = \(now) WHERE tenant_id = \(invoice.tenantID.uuid) AND id = \(id.uuid)")
            return try await Self.locked(id, in: host, lock: false)
        }
        try await dunning.restoreIfSettled(invoice.tenantID, now: now)
        return invoice
    }

    /// A payment an operator received, in the invoice's currency and at most its balance. The
    /// invoice is paid once payments and credit notes cover it, and a workspace that dunning
    /// restricted for it is restored.
    public func recordPayment(_ id: InvoiceID, _ input: PaymentInput, recordedBy: String, now: Date = Date()) async throws -> Invoice {
        let reference = try Validate.text(input.reference, field: "reference", length: 0...200) ?? ""
        let invoice = try await database.withHost { host in
            let invoice = try await Self.locked(id, in: host)
            guard invoice.kind == .invoice, invoice.status == .issued else {
                throw BillingError.invoiceState("Payments are recorded against issued invoices; this one is \(invoice.status.rawValue).",
                                                status: invoice.status)
            }
            guard input.currency == invoice.currency else {
                throw GuanxiError(.invalid, code: "currency_mismatch", message: "The invoice is in \(invoice.currency); record the payment in it.",
                                  details: ["field": "currency"])
            }
            guard input.amountMinor > 0, input.amountMinor <= invoice.balanceMinor else {
                throw GuanxiError(.invalid, code: "invalid_amount",
                                  message: "amount_minor must be from 1 to the balance, \(invoice.balanceMinor).", details: ["field": "amount_minor"])
            }
            let received = input.receivedAt ?? now
            try await host.query("""
                INSERT INTO payments (tenant_id, id, invoice_id, amount_minor, currency, received_at, reference, recorded_by)
                VALUES (\(invoice.tenantID.uuid), \(PaymentID().uuid), \(id.uuid), \(input.amountMinor), \(input.currency), \(received),
                        \(reference), \(recordedBy))
                """)
            try await Self.settle(invoice, paid: input.amountMinor, at: received, in: host)
            return try await Self.locked(id, in: host, lock: false)
        }
        try await dunning.restoreIfSettled(invoice.tenantID, now: now)
        return invoice
    }

    /// Adds a payment or a credit to the invoice's totals; when nothing is left owing the invoice
    /// becomes `paid`.
    private static func settle(_ invoice: Invoice, paid payment: Int64 = 0, credited credit: Int64 = 0, at instant: Date,
                               in host: Transaction) async throws {
        let paid = invoice.paidMinor + payment
        let credited = invoice.creditedMinor + credit
        let settled = invoice.totalMinor - paid - credited <= 0
        try await host.query("""
            UPDATE invoices SET paid_minor = \(paid), credited_minor = \(credited),
                   status = CASE WHEN \(settled) THEN 'paid' ELSE status END,
                   paid_at = CASE WHEN \(settled) THEN \(instant) ELSE paid_at END
             WHERE tenant_id = \(invoice.tenantID.uuid) AND id = \(invoice.id.uuid)
            """)
    }

    /// A credit note against an issued (or paid) invoice: `amount_minor` before tax, taxed at the
    /// invoice's rate, at most what has not been credited yet. It is issued at once with its own
    /// number and lowers what the invoice's tenant owes.
    public func creditNote(against id: InvoiceID, _ input: CreditNoteInput, now: Date = Date()) async throws -> Invoice {
        let reason = try Validate.text(input.reason, field: "reason", length: 1...500, required: true)!
        let note = try await database.withHost { host in
            let invoice = try await Self.locked(id, in: host)
            guard invoice.kind == .invoice, invoice.status == .issued || invoice.status == .paid else {
                throw BillingError.invoiceState("Credit notes are made against issued or paid invoices; this one is \(invoice.status.rawValue).",
                                                status: invoice.status)
            }
            let tax = MinorUnits.share(of: input.amountMinor, basisPoints: invoice.taxRateBP)
            guard input.amountMinor > 0, invoice.creditedMinor + input.amountMinor + tax <= invoice.totalMinor else {
                throw GuanxiError(.invalid, code: "invalid_amount",
                                  message: "amount_minor (before tax) must be positive and, with its tax, at most the \(invoice.totalMinor - invoice.creditedMinor) not yet credited.",
                                  details: ["field": "amount_minor"])
            }
            let amounts = InvoiceCalculator.withTax(
                [InvoiceLine(kind: .credit, descriptionEN: "Credit against \(invoice.number ?? ""): \(reason)",
                             descriptionZH: "冲减发票 \(invoice.number ?? "")：\(reason)", quantity: 1, unitAmountMinor: -input.amountMinor,
                             amountMinor: -input.amountMinor)],
                currency: invoice.currency, taxRateBP: invoice.taxRateBP)
            let noteID = InvoiceID()
            try await host.query("""
                INSERT INTO invoices (tenant_id, id, kind, status, currency, period_start, period_end, subtotal_minor, tax_rate_bp, tax_minor,
                                      total_minor, credited_invoice_id, reason)
                VALUES (\(invoice.tenantID.uuid), \(noteID.uuid), 'credit_note', 'draft', \(invoice.currency), \(invoice.periodStart),
                        \(invoice.periodEnd), \(amounts.subtotal), \(amounts.taxRateBP), \(amounts.tax), \(amounts.total), \(id.uuid), \(reason))
                """)
            try await Self.insertLines(amounts.lines, tenant: invoice.tenantID, invoice: noteID, in: host)
            try await InvoiceNumbering.issue([noteID.uuid], now: now, configuration: configuration, in: host)
            try await Self.settle(invoice, credited: -amounts.total, at: now, in: host)
            return try await Self.locked(noteID, in: host, lock: false)
        }
        try await dunning.restoreIfSettled(note.tenantID, now: now)
        return note
    }

    static func insertLines(_ lines: [InvoiceLine], tenant: TenantID, invoice: InvoiceID, in host: Transaction) async throws {
        try await host.query("""
            INSERT INTO invoice_lines (tenant_id, invoice_id, position, kind, description_en, description_zh, quantity, unit_amount_minor, amount_minor)
            SELECT \(tenant.uuid), \(invoice.uuid), l.position, l.kind, l.en, l.zh, l.quantity, l.unit, l.amount
              FROM unnest(\(Array(1...lines.count)), \(lines.map(\.kind.rawValue)), \(lines.map(\.descriptionEN)), \(lines.map(\.descriptionZH)),
                          \(lines.map(\.quantity)), \(lines.map(\.unitAmountMinor)), \(lines.map(\.amountMinor)))
                   AS l (position, kind, en, zh, quantity, unit, amount)
            """)
    }

    // MARK: Billing profile

    /// The tenant's billing details; a tenant without any has empty ones and no tax.
    public func profile(_ tenant: TenantID) async throws -> BillingProfile {
        try await database.withHost { host in
            guard try await host.rows("SELECT count(*)::int FROM tenants WHERE id = \(tenant.uuid)", as: Int.self)[0] == 1 else {
                throw GuanxiError.notFound("tenant")
            }
            return try await Self.profile(tenant, in: host)
        }
    }

    static func profile(_ tenant: TenantID, in transaction: Transaction) async throws -> BillingProfile {
        try await transaction.rows("""
            SELECT legal_name, address, tax_id, email, tax_rate_bp FROM billing_profiles WHERE tenant_id = \(tenant.uuid)
            """, as: (String, String, String, String, Int).self).first.map {
            BillingProfile(legalName: $0.0, address: $0.1, taxID: $0.2, email: $0.3, taxRateBP: $0.4)
        } ?? BillingProfile()
    }

    /// Sets the tenant's billing details and tax rate; invoices made from then on use them.
    public func setProfile(_ tenant: TenantID, _ input: BillingProfileInput) async throws -> BillingProfile {
        let legalName = try Validate.text(input.legalName, field: "legal_name", length: 0...200) ?? ""
        let address = try Validate.text(input.address, field: "address", length: 0...1000) ?? ""
        let taxID = try Validate.text(input.taxID, field: "tax_id", length: 0...64) ?? ""
        let email = input.email.isEmpty ? "" : try Validate.email(input.email, field: "email")
        guard (0...10_000).contains(input.taxRateBP) else {
            throw GuanxiError.invalidField("tax_rate_bp", "tax_rate_bp is in basis points, from 0 to 10000 (600 is 6 %).")
        }
        return try await database.withHost { host in
            guard try await host.rows("SELECT count(*)::int FROM tenants WHERE id = \(tenant.uuid)", as: Int.self)[0] == 1 else {
                throw GuanxiError.notFound("tenant")
            }
            try await host.query("""
                INSERT INTO billing_profiles (tenant_id, legal_name, address, tax_id, email, tax_rate_bp)
                VALUES (\(tenant.uuid), \(legalName), \(address), \(taxID), \(email), \(input.taxRateBP))
                ON CONFLICT (tenant_id) DO UPDATE SET legal_name = excluded.legal_name, address = excluded.address, tax_id = excluded.tax_id,
                       email = excluded.email, tax_rate_bp = excluded.tax_rate_bp, updated_at = now()
                """)
            return try await Self.profile(tenant, in: host)
        }
    }
}

/// A payment as an operator records it.
public struct PaymentInput: RequestPayload {
    public static let fields: Set<String> = ["amount_minor", "currency", "received_at", "reference"]
    public var amountMinor: Int64
    public var currency: String
    public var receivedAt: Date?
    public var reference: String?

    public init(amountMinor: Int64, currency: String, receivedAt: Date? = nil, reference: String? = nil) {
        self.amountMinor = amountMinor
        self.currency = currency
        self.receivedAt = receivedAt
        self.reference = reference
    }

    enum CodingKeys: String, CodingKey {
        case currency, reference
        case amountMinor = "amount_minor"
        case receivedAt = "received_at"
    }
}

/// A credit note as an operator asks for it: the amount before tax, and why.
public struct CreditNoteInput: RequestPayload {
    public static let fields: Set<String> = ["amount_minor", "reason"]
    public var amountMinor: Int64
    public var reason: String

    public init(amountMinor: Int64, reason: String) {
        self.amountMinor = amountMinor
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case reason
        case amountMinor = "amount_minor"
    }
}
