import Crypto
import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Synchronization

/// The public web form through which a workspace's website visitors leave their details as leads.
/// Spam protection that needs no third party: a honeypot field that people leave empty, and a
/// token signed with HMAC-SHA256 when the form is shown, accepted from 2 seconds to 1 hour after.
/// (The gateway adds a limit per workspace and client address, and answers only for workspaces
/// that are active.)
public struct LeadForm: Sendable {
    /// Quicker than this, the form was filled by a program.
    public static let minimumAge: TimeInterval = 2
    public static let maximumAge: TimeInterval = 3600
    /// Every lead from the form has this source.
    public static let source = "web_form"

    /// A slug that names no workspace, and a workspace that takes no leads now, answer the same.
    public static let notFound = GuanxiError(.notFound, code: "form_not_found", message: "There is no form at this address.")

    let database: Database
    private let key = FormSigningKey()

    public init(database: Database) { self.database = database }

    /// A token for a form shown at `issuedAt` to `tenant`'s visitors: `<unix seconds>.<signature>`.
    public func token(for tenant: TenantID, issuedAt: Date = Date()) async throws -> String {
        let seconds = Int64(issuedAt.timeIntervalSince1970.rounded(.down))
        let signature = HMAC<SHA256>.authenticationCode(for: Self.signed(tenant, seconds), using: try await key.value(database))
        return "\(seconds).\(Data(signature).base64URLEncoded())"
    }

    /// Checks a submission that arrived at `now` and writes it as a new lead of `tenant`, owned by
    /// the workspace's first owner. Any refusal writes nothing.
    @discardableResult
    public func submit(_ tenant: TenantID, _ submission: LeadFormSubmission, now: Date = Date()) async throws -> Lead {
        guard (submission.website ?? "").isEmpty else {
            throw GuanxiError(.invalid, code: "spam_suspected", message: "The form was filled in a way people do not fill it; nothing was sent.")
        }
        try await verify(submission.formToken, for: tenant, now: now)
        return try await database.withTenant(tenant) { transaction in
            let owners = try await transaction.rows("""
                SELECT user_id FROM memberships WHERE role = 'owner' ORDER BY created_at, user_id LIMIT 1
                """, as: UUID.self)
            guard let owner = owners.first else { throw Self.notFound }
            let fields = try LeadFields(name: submission.name ?? "", company: submission.company, email: submission.email,
                                        phone: submission.phone, title: nil, source: Self.source, status: .new,
                                        disqualifiedReason: nil, message: submission.message, ownerID: UserID(owner))
            guard fields.email != nil || fields.phone != nil else {
                throw GuanxiError.invalidField("email", "Leave an email address or a phone number, so that you can be answered.")
            }
            return try await Leads.insert(tenant, fields, in: transaction)
        }
    }

    func verify(_ token: String?, for tenant: TenantID, now: Date) async throws {
        let invalid = GuanxiError(.invalid, code: "form_token_invalid",
                                  message: "The form's token is missing or was not issued here; load the form again.")
        guard let token, let dot = token.firstIndex(of: "."), let issued = Int64(token[..<dot]),
              let signature = Data(base64URLEncoded: String(token[token.index(after: dot)...])) else { throw invalid }
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Self.signed(tenant, issued),
                                                     using: try await key.value(database)) else { throw invalid }
        let age = now.timeIntervalSince1970 - Double(issued)
        if age < Self.minimumAge {
            throw GuanxiError(.invalid, code: "form_submitted_too_fast",
                              message: "The form was sent too quickly after it was shown; wait a moment and send it again.")
        }
        if age > Self.maximumAge {
            throw GuanxiError(.invalid, code: "form_token_expired", message: "The form was shown more than an hour ago; load it again.")
        }
    }

    /// What a token signs: the workspace and the time, so a token is worth nothing at another workspace.
    static func signed(_ tenant: TenantID, _ issued: Int64) -> Data {
        Data("guanxi-lead-form:\(tenant):\(issued)".utf8)
    }
}

/// What a visitor sends, as form fields or JSON.
public struct LeadFormSubmission: RequestPayload {
    public static let fields: Set<String> = ["name", "company", "email", "phone", "message", "website", "form_token"]
    public var name: String?
    public var company: String?
    public var email: String?
    public var phone: String?
    public var message: String?
    /// The honeypot: hidden from people by the form's style, so only a program fills it.
    public var website: String?
    public var formToken: String?

    public init(name: String? = nil, company: String? = nil, email: String? = nil, phone: String? = nil, message: String? = nil,
                website: String? = nil, formToken: String? = nil) {
        self.name = name
        self.company = company
        self.email = email
        self.phone = phone
        self.message = message
        self.website = website
        self.formToken = formToken
    }

    enum CodingKeys: String, CodingKey {
        case name, company, email, phone, message, website
        case formToken = "form_token"
    }
}

/// The host's form signing key (`form_signing_keys`), read once per process.
final class FormSigningKey: Sendable {
    private let cached = Mutex<SymmetricKey?>(nil)

    func value(_ database: Database) async throws -> SymmetricKey {
        if let key = cached.withLock({ $0 }) { return key }
        let bytes = try await database.withHost { host in
            try await host.rows("SELECT key FROM form_signing_keys WHERE id = 1", as: Data.self)
        }
        guard let data = bytes.first else {
            throw GuanxiError(.internalFailure, code: "internal_error", message: "The form signing key is missing; run the migrations.")
        }
        let key = SymmetricKey(data: data)
        cached.withLock { $0 = key }
        return key
    }
}
