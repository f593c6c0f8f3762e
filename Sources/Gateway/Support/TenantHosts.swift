import HTTPTypes
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Synchronization
import Tenancy

/// Maps a request's host, `<slug>.<base domain>`, to its workspace, remembering answers briefly.
struct TenantHosts: Sendable {
    let baseDomain: String
    let directory: TenantDirectory
    private let cache = ExpiringCache<TenantID>(timeToLive: .seconds(60))
    static let hostField = HTTPField.Name("Host")!

    init(baseDomain: String, directory: TenantDirectory) {
        self.baseDomain = baseDomain.lowercased()
        self.directory = directory
    }

    /// The slug named by the request's host, ignoring any port: the HTTP/2 authority or the
    /// HTTP/1.1 Host header (kept as a field where a proxy or test client sends it explicitly).
    func slug(of request: Request) -> String? {
        guard let authority = request.headers[Self.hostField] ?? request.head.authority else { return nil }
        let host = authority.split(separator: ":").first.map { $0.lowercased() } ?? ""
        let suffix = "." + baseDomain
        guard host.hasSuffix(suffix) else { return nil }
        let slug = String(host.dropLast(suffix.count))
        return slug.isEmpty || slug.contains(".") ? nil : slug
    }

    /// The workspace id for the request's host. Only the slug-to-id mapping is remembered, never
    /// a status: whether the workspace may be used is decided by the credential check.
    func tenantID(for request: Request) async throws -> TenantID? {
        guard let slug = slug(of: request) else { return nil }
        let key = Data(slug.utf8)
        if let cached = cache.value(for: key) { return cached }
        guard let tenant = try await directory.find(slug: slug) else { return nil }
        cache.store(tenant.id, tenant: tenant.id, for: key)
        return tenant.id
    }

    /// The workspace for the request's host, read now (for sign-in, which must see its status).
    func tenant(for request: Request) async throws -> Tenant? {
        guard let slug = slug(of: request) else { return nil }
        return try await directory.find(slug: slug)
    }
}
