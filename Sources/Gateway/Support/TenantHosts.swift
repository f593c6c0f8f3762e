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
    private let cache = CredentialCache<Tenant>(timeToLive: .seconds(5))

    init(baseDomain: String, directory: TenantDirectory) {
        self.baseDomain = baseDomain.lowercased()
        self.directory = directory
    }

    /// The slug named by the request's host, ignoring any port.
    func slug(of request: Request) -> String? {
        guard let authority = request.head.authority else { return nil }
        let host = authority.split(separator: ":").first.map { $0.lowercased() } ?? ""
        let suffix = "." + baseDomain
        guard host.hasSuffix(suffix) else { return nil }
        let slug = String(host.dropLast(suffix.count))
        return slug.isEmpty || slug.contains(".") ? nil : slug
    }

    func tenant(for request: Request) async throws -> Tenant? {
        guard let slug = slug(of: request) else { return nil }
        let key = Data(slug.utf8)
        if let cached = cache.principal(for: key) { return cached }
        guard let tenant = try await directory.find(slug: slug) else { return nil }
        cache.store(tenant, tenant: tenant.id, for: key)
        return tenant
    }
}
