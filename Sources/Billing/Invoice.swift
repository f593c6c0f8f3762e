import Foundation
import GuanxiCore

public enum InvoiceTag {}
public enum PaymentTag {}
/// An invoice or a credit note (both are rows of `invoices`).
public typealias InvoiceID = Identifier<InvoiceTag>
public typealias PaymentID = Identifier<PaymentTag>

/// An invoice for a billing period, or a credit note against an issued invoice. Amounts are
/// integer minor units of `currency`; the lines (tax included) add up to `totalMinor` exactly.
public struct Invoice: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case invoice, creditNote = "credit_note" }
    public enum Status: String, Sendable, Codable { case draft, issued, paid, void }

    public var id: InvoiceID
    public var tenantID: TenantID
    public var kind: Kind
    public var status: Status
    /// `GX-2026-000123`, given at issue; `nil` on drafts.
    public var number: String?
    public var currency: String
    public var periodStart: Date?
    public var periodEnd: Date?
    public var subtotalMinor: Int64
    public var taxRateBP: Int
    public var taxMinor: Int64
    public var totalMinor: Int64
    public var paidMinor: Int64
    public var creditedMinor: Int64
    /// What is still owed: the total less payments and credit notes (0 for credit notes).
    public var balanceMinor: Int64 { kind == .invoice && (status == .issued || status == .paid) ? totalMinor - paidMinor - creditedMinor : 0 }
    public var creditedInvoiceID: InvoiceID?
    public var reason: String
    public var issuedAt: Date?
    /// The date payment is due, in the tenant's calendar (`YYYY-MM-DD`).
    public var dueDate: String?
    public var paidAt: Date?
    public var voidedAt: Date?
    public var createdAt: Date
    public var lines: [InvoiceLine]

    enum CodingKeys: String, CodingKey {
        case id, kind, status, number, currency, reason, lines
        case tenantID = "tenant_id"
        case periodStart = "period_start"
        case periodEnd = "period_end"
        case subtotalMinor = "subtotal_minor"
        case taxRateBP = "tax_rate_bp"
        case taxMinor = "tax_minor"
        case totalMinor = "total_minor"
        case paidMinor = "paid_minor"
        case creditedMinor = "credited_minor"
        case balanceMinor = "balance_minor"
        case creditedInvoiceID = "credited_invoice_id"
        case issuedAt = "issued_at"
        case dueDate = "due_date"
        case paidAt = "paid_at"
        case voidedAt = "voided_at"
        case createdAt = "created_at"
    }

    public init(id: InvoiceID, tenantID: TenantID, kind: Kind, status: Status, number: String?, currency: String, periodStart: Date?,
                periodEnd: Date?, subtotalMinor: Int64, taxRateBP: Int, taxMinor: Int64, totalMinor: Int64, paidMinor: Int64,
                creditedMinor: Int64, creditedInvoiceID: InvoiceID?, reason: String, issuedAt: Date?, dueDate: String?, paidAt: Date?,
                voidedAt: Date?, createdAt: Date, lines: [InvoiceLine]) {
        self.id = id
        self.tenantID = tenantID
        self.kind = kind
        self.status = status
        self.number = number
        self.currency = currency
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.subtotalMinor = subtotalMinor
        self.taxRateBP = taxRateBP
        self.taxMinor = taxMinor
        self.totalMinor = totalMinor
        self.paidMinor = paidMinor
        self.creditedMinor = creditedMinor
        self.creditedInvoiceID = creditedInvoiceID
        self.reason = reason
        self.issuedAt = issuedAt
        self.dueDate = dueDate
        self.paidAt = paidAt
        self.voidedAt = voidedAt
        self.createdAt = createdAt
        self.lines = lines
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(InvoiceID.self, forKey: .id), tenantID: try c.decode(TenantID.self, forKey: .tenantID),
                  kind: try c.decode(Kind.self, forKey: .kind), status: try c.decode(Status.self, forKey: .status),
                  number: try c.decodeIfPresent(String.self, forKey: .number), currency: try c.decode(String.self, forKey: .currency),
                  periodStart: try c.decodeIfPresent(Date.self, forKey: .periodStart), periodEnd: try c.decodeIfPresent(Date.self, forKey: .periodEnd),
                  subtotalMinor: try c.decode(Int64.self, forKey: .subtotalMinor), taxRateBP: try c.decode(Int.self, forKey: .taxRateBP),
                  taxMinor: try c.decode(Int64.self, forKey: .taxMinor), totalMinor: try c.decode(Int64.self, forKey: .totalMinor),
                  paidMinor: try c.decode(Int64.self, forKey: .paidMinor), creditedMinor: try c.decode(Int64.self, forKey: .creditedMinor),
                  creditedInvoiceID: try c.decodeIfPresent(InvoiceID.self, forKey: .creditedInvoiceID),
                  reason: try c.decode(String.self, forKey: .reason), issuedAt: try c.decodeIfPresent(Date.self, forKey: .issuedAt),
                  dueDate: try c.decodeIfPresent(String.self, forKey: .dueDate), paidAt: try c.decodeIfPresent(Date.self, forKey: .paidAt),
                  voidedAt: try c.decodeIfPresent(Date.self, forKey: .voidedAt), createdAt: try c.decode(Date.self, forKey: .createdAt),
                  lines: try c.decode([InvoiceLine].self, forKey: .lines))
    }

    /// Every field is present; those that do not apply are `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(tenantID, forKey: .tenantID)
        try c.encode(kind, forKey: .kind)
        try c.encode(status, forKey: .status)
        try c.encode(number, forKey: .number)
        try c.encode(currency, forKey: .currency)
        try c.encode(periodStart, forKey: .periodStart)
        try c.encode(periodEnd, forKey: .periodEnd)
        try c.encode(subtotalMinor, forKey: .subtotalMinor)
        try c.encode(taxRateBP, forKey: .taxRateBP)
        try c.encode(taxMinor, forKey: .taxMinor)
        try c.encode(totalMinor, forKey: .totalMinor)
        try c.encode(paidMinor, forKey: .paidMinor)
        try c.encode(creditedMinor, forKey: .creditedMinor)
        try c.encode(balanceMinor, forKey: .balanceMinor)
        try c.encode(creditedInvoiceID, forKey: .creditedInvoiceID)
        try c.encode(reason, forKey: .reason)
        try c.encode(issuedAt, forKey: .issuedAt)
        try c.encode(dueDate, forKey: .dueDate)
        try c.encode(paidAt, forKey: .paidAt)
        try c.encode(voidedAt, forKey: .voidedAt)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(lines, forKey: .lines)
    }
}

/// One line of an invoice. For proration lines `quantity` is the days charged or credited and
/// `unitAmountMinor` the full period's price they are a share of; otherwise `amountMinor` is
/// `quantity × unitAmountMinor`.
public struct InvoiceLine: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case plan
        case extraSeats = "extra_seats"
        case overage
        case prorationCredit = "proration_credit"
        case prorationCharge = "proration_charge"
        case tax
        case credit
    }

    public var kind: Kind
    public var descriptionEN: String
    public var descriptionZH: String
    public var quantity: Int64
    public var unitAmountMinor: Int64
    public var amountMinor: Int64

    public init(kind: Kind, descriptionEN: String, descriptionZH: String, quantity: Int64, unitAmountMinor: Int64, amountMinor: Int64) {
        self.kind = kind
        self.descriptionEN = descriptionEN
        self.descriptionZH = descriptionZH
        self.quantity = quantity
        self.unitAmountMinor = unitAmountMinor
        self.amountMinor = amountMinor
    }

    enum CodingKeys: String, CodingKey {
        case kind, quantity
        case descriptionEN = "description_en"
        case descriptionZH = "description_zh"
        case unitAmountMinor = "unit_amount_minor"
        case amountMinor = "amount_minor"
    }
}

/// A payment an operator recorded against an invoice.
public struct Payment: Sendable, Codable, Equatable {
    public var id: PaymentID
    public var invoiceID: InvoiceID
    public var amountMinor: Int64
    public var currency: String
    public var receivedAt: Date
    public var reference: String
    public var recordedBy: String

    enum CodingKeys: String, CodingKey {
        case id, currency, reference
        case invoiceID = "invoice_id"
        case amountMinor = "amount_minor"
        case receivedAt = "received_at"
        case recordedBy = "recorded_by"
    }
}

/// The tenant's details as its invoices show them, and the tax rate its invoices carry.
public struct BillingProfile: Sendable, Codable, Equatable {
    public var legalName: String
    public var address: String
    public var taxID: String
    public var email: String
    /// Basis points: 600 is 6 %.
    public var taxRateBP: Int

    public init(legalName: String = "", address: String = "", taxID: String = "", email: String = "", taxRateBP: Int = 0) {
        self.legalName = legalName
        self.address = address
        self.taxID = taxID
        self.email = email
        self.taxRateBP = taxRateBP
    }

    enum CodingKeys: String, CodingKey {
        case address, email
        case legalName = "legal_name"
        case taxID = "tax_id"
        case taxRateBP = "tax_rate_bp"
    }
}

/// A billing profile as an operator sets it; every field is required so nothing is half-known.
public struct BillingProfileInput: RequestPayload {
    public static let fields: Set<String> = ["legal_name", "address", "tax_id", "email", "tax_rate_bp"]
    public var legalName: String
    public var address: String
    public var taxID: String
    public var email: String
    public var taxRateBP: Int

    public init(legalName: String, address: String, taxID: String, email: String, taxRateBP: Int) {
        self.legalName = legalName
        self.address = address
        self.taxID = taxID
        self.email = email
        self.taxRateBP = taxRateBP
    }

    enum CodingKeys: String, CodingKey {
        case address, email
        case legalName = "legal_name"
        case taxID = "tax_id"
        case taxRateBP = "tax_rate_bp"
    }
}

/// One dunning step taken (or found already taken) for an overdue invoice.
public struct DunningEvent: Sendable, Codable, Equatable {
    public var id: UUID
    public var tenantID: TenantID
    public var invoiceID: InvoiceID
    public var step: String
    public var daysOverdue: Int
    public var outcome: String
    public var occurredAt: Date
    public var actor: String

    enum CodingKeys: String, CodingKey {
        case id, step, outcome, actor
        case tenantID = "tenant_id"
        case invoiceID = "invoice_id"
        case daysOverdue = "days_overdue"
        case occurredAt = "occurred_at"
    }
}
