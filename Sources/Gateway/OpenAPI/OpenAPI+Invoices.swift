import Billing
import GuanxiCore
import HTTPTypes

// `/api/v1/invoices`: InvoicesController.

extension OpenAPI.Area {
    private static let invoiceID = OpenAPI.Parameter.id("id", "The invoice's or credit note's id.")
    private static let invoiceNotFound = OpenAPI.ErrorCode(
        404, "invoice_not_found", "No issued invoice or credit note with that id in this workspace: a draft, a missing id, another "
            + "workspace's, or not a UUID.")
    /// An amount of an invoice, which credits make negative.
    private static let signedMinor = OpenAPI.Schema.integer().described("In minor units of `currency` (fen, cents); negative on credit notes.")

    static let invoices = OpenAPI.Area(
        tag: "Invoices",
        description: "What the provider billed the workspace: invoices for each billing period (the plan, extra seats, proration of "
            + "changes, API calls beyond the plan's allowance, tax) and credit notes against them, from their issue on; drafts are "
            + "never shown. Every member may read them, also while the subscription is `read_only`. See Docs/Billing.md.",
        access: .workspace,
        schemas: [
            "Invoice": .record([
                "id": .id,
                "tenant_id": .id,
                "kind": .oneOf([Invoice.Kind.invoice, .creditNote].map(\.rawValue)),
                "status": OpenAPI.Schema.oneOf([Invoice.Status.issued, .paid, .void].map(\.rawValue))
                    .described("`paid` once payments and credit notes cover the total; a voided invoice keeps its number."),
                "number": OpenAPI.Schema.string().described("`<prefix>-<year>-<number>`, such as `GX-2026-000123`, gapless in its series."),
                "currency": .currency,
                "period_start": OpenAPI.Schema.time.orNull.described("The billing period billed (a credit note: its invoice's)."),
                "period_end": OpenAPI.Schema.time.orNull,
                "subtotal_minor": signedMinor.described("The lines before tax, added up."),
                "tax_rate_bp": OpenAPI.Schema.integer(minimum: 0, maximum: 10_000).described("In basis points: 600 is 6 %."),
                "tax_minor": signedMinor.described("The rate applied once to the subtotal, rounded half away from zero."),
                "total_minor": signedMinor.described("`subtotal_minor` + `tax_minor`: what the lines add up to exactly."),
                "paid_minor": .minorUnits,
                "credited_minor": OpenAPI.Schema.minorUnits.described("What credit notes against it took off, tax included."),
                "balance_minor": signedMinor.described("What is still owed: total less paid and credited; 0 on credit notes and void invoices."),
                "credited_invoice_id": OpenAPI.Schema.id.orNull.described("On a credit note, the invoice it credits."),
                "reason": OpenAPI.Schema.string().described("A credit note's reason; empty on invoices."),
                "issued_at": .time,
                "due_date": OpenAPI.Schema.date.described("In the workspace's calendar."),
                "paid_at": OpenAPI.Schema.time.orNull.described("When the payment or credit note that settled it came."),
                "voided_at": OpenAPI.Schema.time.orNull,
                "created_at": .time,
                "lines": OpenAPI.Schema.array(of: .ref("InvoiceLine")).described("In order, the tax line last; they add up to `total_minor`."),
            ]),
            "InvoiceLine": .record([
                "kind": .oneOf([InvoiceLine.Kind.plan, .extraSeats, .prorationCredit, .prorationCharge, .overage, .tax, .credit].map(\.rawValue)),
                "description_en": .string(),
                "description_zh": .string(),
                "quantity": OpenAPI.Schema.integer().described("On proration lines, the days charged or credited."),
                "unit_amount_minor": signedMinor.described("On proration lines, the full period's price the share is taken of."),
                "amount_minor": signedMinor,
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/api/v1/invoices", id: "listInvoices", summary: "List the workspace's invoices and credit notes",
                success: .page(of: "Invoice", "A page of invoices and credit notes, newest first, each with its lines.")),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/invoices/{id}", id: "getInvoice", summary: "Read an invoice or credit note",
                parameters: [invoiceID],
                success: .ok(.ref("Invoice"), "The invoice with its lines."),
                errors: [invoiceNotFound]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/invoices/{id}/html", id: "getInvoicePage", summary: "The printable invoice, as an HTML page",
                description: "Self-contained (no scripts, no external files), to print or save as PDF from a browser: the number, status, "
                    + "dates in the workspace's time zone, the provider and the workspace's billing details, the lines and the totals. In "
                    + "Simplified Chinese for a workspace whose locale is `zh-CN`, else in English.",
                parameters: [invoiceID],
                success: OpenAPI.Success(status: 200, description: "The page."),
                errors: [invoiceNotFound],
                pages: .instead(errors: [])),
        ])
}
