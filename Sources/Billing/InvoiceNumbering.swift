import Database
import Foundation
import PostgresNIO
import GuanxiCore

/// Gapless invoice numbers, one series per prefix and year (`GX-2026-000123`). The series row is
/// locked and advanced in the issuing transaction: concurrent issuers take turns, and a rolled-back
/// issue returns its numbers with it, which a sequence would not.
enum InvoiceNumbering {
    /// Issues the drafts among `ids` in id order: numbers, `issued_at = now`, and the due date
    /// `paymentTermsDays` after the tenant's local date of issue. Returns the ids issued.
    @discardableResult
    static func issue(_ ids: [UUID], now: Date, configuration: BillingConfiguration, in host: Transaction) async throws -> [UUID] {
        guard !ids.isEmpty else { return [] }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = .gmt
        let series = "\(configuration.numberPrefix)-\(utc.component(.year, from: now))"
        try await host.query("INSERT INTO invoice_number_series (series, last_number) VALUES (\(series), 0) ON CONFLICT (series) DO NOTHING")
        let last = try await host.rows("SELECT last_number FROM invoice_number_series WHERE series = \(series) FOR UPDATE", as: Int.self)[0]
        let issued = try await host.rows("""
            WITH numbered AS (
                SELECT i.tenant_id, i.id, row_number() OVER (ORDER BY i.id) AS n, t.time_zone
                  FROM invoices i JOIN tenants t ON t.id = i.tenant_id
                 WHERE i.id = ANY(\(ids)) AND i.status = 'draft')
            UPDATE invoices i
               SET status = 'issued', issued_at = \(now),
                   number = \(series) || '-' || lpad((\(last) + n.n)::text, greatest(6, length((\(last) + n.n)::text)), '0'),
                   due_date = (\(now) AT TIME ZONE n.time_zone)::date + \(configuration.paymentTermsDays)::int
              FROM numbered n
             WHERE i.tenant_id = n.tenant_id AND i.id = n.id
            RETURNING i.id
            """, as: UUID.self)
        try await host.query("UPDATE invoice_number_series SET last_number = last_number + \(issued.count) WHERE series = \(series)")
        return issued
    }
}
