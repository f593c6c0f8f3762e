import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A CSV export as the tests read it: the header, and each record as header → cell.
struct ExportedCSV {
    let header: [String]
    let records: [[String: String]]

    /// Reads RFC 4180 text (as the export writes it: CRLF rows, quoted cells with doubled quotes).
    init(_ text: String) {
        let characters = Array(text)   // "\r\n" is one Character
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch (quoted, character) {
            case (true, "\""):
                if index < characters.count && characters[index] == "\"" {
                    cell.append("\"")
                    index += 1
                } else {
                    quoted = false
                }
            case (true, _):
                cell.append(character)
            case (false, "\""):
                quoted = true
            case (false, ","):
                row.append(cell)
                cell = ""
            case (false, "\r\n"):
                rows.append(row + [cell])
                row = []
                cell = ""
            default:
                cell.append(character)
            }
        }
        header = rows.first ?? []
        records = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(rows[0], $0)) }
    }
}

extension TestApp {
    /// `GET path` as `tenant`, which must answer a UTF-8 CSV file with a byte order mark.
    func export(_ path: String, tenant: TestTenant) async throws -> ExportedCSV {
        let response = try await request(.get, path, token: tenant.apiKey)
        #expect(response.status == .ok, "\(path): \(response.body.string)")
        #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
        let bytes = Array(response.body.readableBytesView)
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]), "\(path): a byte order mark, for Excel")
        return ExportedCSV(String(decoding: bytes.dropFirst(3), as: UTF8.self))
    }
}

@Suite("Exports of leads, deals, cases and activities")
struct ListExportTests {
    /// An ISO 8601 time in UTC, to the second, as the JSON API writes times.
    static func isUTCTime(_ text: String?) -> Bool {
        text?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil
    }

    @Test("each list exports with its list's filters: every field, formulas as text, amounts as decimals beside their currency, ISO dates, UTC times")
    func fieldsAndFilters() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "=Acme 集团"])
            let formulaLead = try await app.createID("/api/v1/leads", tenant, [
                "name": "=cmd|' /C calc'!A0", "company": "Acme, Ltd", "phone": "+86 138 0000 0000", "source": "trade_show",
                "message": "Wants \"samples\"\r\nsoon",
            ])
            let lead = try await app.createID("/api/v1/leads", tenant, ["name": "王芳", "source": "referral"])

            let leads = try await app.export("/api/v1/leads/export.csv?source=trade_show", tenant: tenant)
            #expect(leads.header == ["id", "name", "company", "email", "phone", "title", "source", "status", "disqualified_reason", "message",
                                     "owner_id", "converted_at", "converted_account_id", "converted_contact_id", "converted_deal_id",
                                     "created_at", "updated_at"])
            try #require(leads.records.count == 1)
            let exportedLead = leads.records[0]
            #expect(exportedLead["id"] == formulaLead)
            #expect(exportedLead["name"] == "'=cmd|' /C calc'!A0", "a formula is written as text")
            #expect(exportedLead["company"] == "Acme, Ltd")
            #expect(exportedLead["phone"] == "'+86 138 0000 0000")
            #expect(exportedLead["message"] == "Wants \"samples\"\r\nsoon")
            #expect(exportedLead["status"] == "new")
            #expect(exportedLead["owner_id"] == (try await app.userID(tenant)))
            #expect(exportedLead["converted_at"] == "")
            #expect(Self.isUTCTime(exportedLead["created_at"]), "\(exportedLead["created_at"] ?? "")")
            #expect(try await app.export("/api/v1/leads/export.csv?q=%E7%8E%8B%E8%8A%B3", tenant: tenant).records.map { $0["id"] } == [lead])

            // The export imports into another workspace as the same leads.
            let file = try await app.request(.get, "/api/v1/leads/export.csv", token: tenant.apiKey)
            let target = try await app.makeTenant()
            let upload = try await app.upload(Array(file.body.readableBytesView), object: "leads", tenant: target).json()
            #expect((upload["columns"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                    == ["name", "company", "email", "phone", "title", "source", "message"])
            let committed = try await app.request(.post, "/api/v1/imports/\(try #require(upload["id"] as? String))/commit", token: target.apiKey)
            #expect(committed.status == .ok, "\(committed.body.string)")
            func people(_ tenant: TestTenant) async throws -> [String] {
                try await app.all("/api/v1/leads", tenant: tenant).map { lead in
                    ["name", "company", "email", "phone", "title", "source", "message"].map { lead[$0] as? String ?? "∅" }.joined(separator: "|")
                }
            }
            #expect(try await people(target) == (try await people(tenant)))

            _ = try await app.create("/api/v1/deals", tenant, [
                "name": "Spring tea", "amount_minor": 123456, "currency": "CNY", "expected_close_date": "2026-03-31", "account_id": account,
            ])
            _ = try await app.create("/api/v1/deals", tenant, ["name": "Tokyo", "amount_minor": 5000, "currency": "JPY"])
            _ = try await app.create("/api/v1/deals", tenant, ["name": "Unpriced", "amount_minor": 7, "currency": "KWD"])
            _ = try await app.create("/api/v1/deals", tenant, ["name": "No amount yet"])
            let deals = try await app.export("/api/v1/deals/export.csv", tenant: tenant)
            #expect(deals.header == ["id", "name", "pipeline_id", "stage_id", "stage_name", "status", "win_probability_bp", "amount", "currency",
                                     "expected_close_date", "account_name", "account_id", "contact_ids", "owner_id", "campaign_id", "closed_at", "close_reason",
                                     "created_at", "updated_at"])
            #expect(deals.records.map { "\($0["name"] ?? "")|\($0["amount"] ?? "")|\($0["currency"] ?? "")" }
                    == ["Spring tea|1234.56|CNY", "Tokyo|5000|JPY", "Unpriced|0.007|KWD", "No amount yet||"])
            #expect(deals.records[0]["expected_close_date"] == "2026-03-31")
            #expect(deals.records[0]["account_name"] == "'=Acme 集团")
            #expect(deals.records[0]["account_id"] == account)
            #expect(deals.records[0]["status"] == "open")
            let byAccount = try await app.export("/api/v1/deals/export.csv?account_id=\(account)", tenant: tenant)
            #expect(byAccount.records.map { $0["name"] } == ["Spring tea"])
            #expect(try await app.export("/api/v1/deals/export.csv?status=won", tenant: tenant).records.isEmpty)

            _ = try await app.create("/api/v1/cases", tenant, ["subject": "Kettle leaks", "channel": "phone", "priority": "high", "account_id": account])
            _ = try await app.create("/api/v1/cases", tenant, ["subject": "-1 star review", "channel": "web"])
            let cases = try await app.export("/api/v1/cases/export.csv", tenant: tenant)
            #expect(cases.header.prefix(4) == ["id", "number", "subject", "description"])
            #expect(cases.header.contains("resolution_due_at") && cases.header.contains("satisfaction"))
            #expect(cases.records.map { $0["subject"] } == ["Kettle leaks", "'-1 star review"])
            #expect(cases.records.map { $0["number"] } == ["1001", "1002"])
            #expect(cases.records[0]["account_name"] == "'=Acme 集团")
            #expect(Self.isUTCTime(cases.records[0]["first_response_due_at"]))
            let urgent = try await app.export("/api/v1/cases/export.csv?priority=high,urgent", tenant: tenant)
            #expect(urgent.records.map { $0["subject"] } == ["Kettle leaks"])

            _ = try await app.create("/api/v1/activities", tenant, ["kind": "task", "title": "Send samples", "due_date": "2026-04-01", "lead_id": lead])
            _ = try await app.create("/api/v1/activities", tenant, ["kind": "note", "body": "@channel asked for prices", "lead_id": lead])
            let activities = try await app.export("/api/v1/activities/export.csv", tenant: tenant)
            #expect(activities.header == ["id", "kind", "title", "body", "occurred_at", "duration_minutes", "due_date", "done_at", "owner_id",
                                          "assignee_id", "account_id", "contact_id", "lead_id", "deal_id", "case_id", "created_at", "updated_at"])
            #expect(activities.records.map { $0["kind"] } == ["task", "note"])
            #expect(activities.records[0]["due_date"] == "2026-04-01")
            #expect(activities.records[1]["body"] == "'@channel asked for prices")
            #expect(activities.records.allSatisfy { $0["lead_id"] == lead && Self.isUTCTime($0["occurred_at"]) })
            #expect(try await app.export("/api/v1/activities/export.csv?kind=task", tenant: tenant).records.map { $0["title"] } == ["Send samples"])

            let gb = try await app.request(.get, "/api/v1/leads/export.csv?encoding=gb18030&source=referral", token: tenant.apiKey)
            #expect(gb.headers[.contentType] == "text/csv; charset=gb18030")
            #expect(gb.headers[.contentDisposition] == "attachment; filename=\"leads.csv\"")
            let bytes = Array(gb.body.readableBytesView)
            #expect(bytes.starts(with: Array("id,name,".utf8)), "no byte order mark")
            #expect(bytes.indices.contains { bytes[$0...].starts(with: [0xCD, 0xF5, 0xB7, 0xBC]) }, "王芳 in GB18030")
            for name in ["leads", "deals", "cases", "activities"] {
                let response = try await app.request(.get, "/api/v1/\(name)/export.csv", token: tenant.apiKey)
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"\(name).csv\"")
            }
        }
    }

    @Test("every export of records with custom fields takes the list's cf. filters")
    func customFieldFilters() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            for object in ["account", "contact", "lead", "deal", "case"] {
                _ = try await app.define(tenant, object, "vip", "boolean")
            }
            let bodies: [(path: String, base: [String: Any])] = [
                ("accounts", ["name": "华东贸易"]), ("contacts", ["name": "张伟"]), ("leads", ["name": "李娜"]),
                ("deals", ["name": "春季订单"]), ("cases", ["subject": "包装破损", "channel": "phone"]),
            ]
            for (path, base) in bodies {
                var vip = base
                vip["custom_fields"] = ["vip": true]
                let wanted = try await app.createID("/api/v1/\(path)", tenant, vip)
                _ = try await app.createID("/api/v1/\(path)", tenant, base)
                let exported = try await app.export("/api/v1/\(path)/export.csv?cf.vip=true", tenant: tenant)
                #expect(exported.records.map { $0["id"] } == [wanted], "\(path)")
            }
        }
    }

    @Test("bad filters and encodings are refused before the file starts")
    func refusals() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            for path in ["leads/export.csv?status=hot", "leads/export.csv?owner_id=me", "deals/export.csv?stage_id=x",
                         "deals/export.csv?status=closed", "cases/export.csv?open=maybe", "cases/export.csv?priority=extreme",
                         "activities/export.csv?done=perhaps", "activities/export.csv?due=tomorrow"] {
                let response = try await app.request(.get, "/api/v1/\(path)", token: tenant.apiKey)
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.errorCode == "invalid_filter", "\(path): \(response.body.string)")
            }
            for name in ["leads", "deals", "cases", "activities"] {
                let response = try await app.request(.get, "/api/v1/\(name)/export.csv?encoding=latin1", token: tenant.apiKey)
                #expect(response.status == .badRequest)
                #expect(response.errorCode == "invalid_parameter")
            }
            // Text PostgreSQL cannot hold, in a filter of the export or of the list, is the client's mistake.
            for path in ["leads/export.csv?q=ab%00", "deals/export.csv?q=a%00", "cases/export.csv?category=%00", "leads?source=%00"] {
                let response = try await app.request(.get, "/api/v1/\(path)", token: tenant.apiKey)
                #expect(response.status == .unprocessableContent, "\(path)")
                #expect(response.errorCode == "invalid_value", "\(path): \(response.body.string)")
            }
        }
    }

    @Test("a rep's export holds only the rep's records, on every page; another workspace's rows never appear")
    func recordAccessAndIsolation() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let rep = try await app.makeMember(of: tenant, role: .salesRep)
            let asRep = tenant.acting(as: rep.apiKey)

            // More than a page of 1,000 leads of the rep's, then the owner's: a later page read as
            // anyone but the rep would show the owner's too.
            let csv = "name,email\n" + (0..<1_005).map { "线索\($0),lead\($0)@example.cn" }.joined(separator: "\n")
            #expect(try await app.importCSV(csv, object: "leads", tenant: asRep).result["created"] == 1_005)
            var ownerLeads: [String] = []
            for n in 1...3 { ownerLeads.append(try await app.createID("/api/v1/leads", tenant, ["name": "Owner lead \(n)"])) }
            let repLead = try #require(try await app.request(.get, "/api/v1/leads?limit=1", token: rep.apiKey).items.first?["id"] as? String)

            _ = try await app.create("/api/v1/deals", tenant, ["name": "Owner deal"])
            _ = try await app.create("/api/v1/deals", asRep, ["name": "Rep deal"])
            _ = try await app.create("/api/v1/activities", tenant, ["kind": "call", "title": "Owner call", "lead_id": ownerLeads[0]])
            _ = try await app.create("/api/v1/activities", asRep, ["kind": "call", "title": "Rep call", "lead_id": repLead])
            _ = try await app.create("/api/v1/cases", tenant, ["subject": "Owner case", "channel": "email"])
            _ = try await app.create("/api/v1/cases", asRep, ["subject": "Rep case", "channel": "phone"])

            let repLeads = try await app.export("/api/v1/leads/export.csv", tenant: asRep)
            #expect(repLeads.records.count == 1_005)
            #expect(repLeads.records.allSatisfy { $0["owner_id"] == rep.id })
            #expect(try await app.export("/api/v1/leads/export.csv", tenant: tenant).records.count == 1_008)
            #expect(try await app.export("/api/v1/deals/export.csv", tenant: asRep).records.map { $0["name"] } == ["Rep deal"])
            #expect(try await app.export("/api/v1/activities/export.csv", tenant: asRep).records.map { $0["title"] } == ["Rep call"])
            #expect(try await app.export("/api/v1/cases/export.csv", tenant: asRep).records.map { $0["subject"] } == ["Rep case"])
            #expect(try await app.export("/api/v1/deals/export.csv", tenant: tenant).records.count == 2)
            #expect(try await app.export("/api/v1/activities/export.csv", tenant: tenant).records.count == 2)
            #expect(try await app.export("/api/v1/cases/export.csv", tenant: tenant).records.count == 2)

            // Another workspace sees a header and nothing else, whatever it filters on.
            let other = try await app.makeTenant()
            for path in ["leads/export.csv", "deals/export.csv", "cases/export.csv", "activities/export.csv",
                         "activities/export.csv?lead_id=\(repLead)", "leads/export.csv?owner_id=\(rep.id)"] {
                let exported = try await app.export("/api/v1/\(path)", tenant: other)
                #expect(!exported.header.isEmpty)
                #expect(exported.records.isEmpty, "\(path)")
            }
        }
    }

    @Test("amounts in the currency's major unit, from integer minor units")
    func decimalAmounts() {
        let cases: [(Int64, String, String)] = [
            (123456, "CNY", "1234.56"), (5, "USD", "0.05"), (100, "EUR", "1.00"), (0, "CNY", "0.00"), (5000, "JPY", "5000"),
            (7, "KWD", "0.007"), (12345, "BHD", "12.345"), (999999999999999, "CNY", "9999999999999.99"), (-250, "CNY", "-2.50"),
        ]
        for (minor, currency, decimal) in cases {
            #expect(Money(amountMinor: minor, currency: currency).decimalAmount == decimal, "\(minor) \(currency)")
        }
    }
}
