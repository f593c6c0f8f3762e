import Database
import Foundation
import Gateway
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Tenancy
import Testing

/// One test's view of the server: the router over the real database, served through
/// Hummingbird's router test client, an operator token, and helpers to make tenants.
struct TestApp {
    let services: GuanxiServices
    let client: any TestClientProtocol
    let operatorToken: String

    /// Runs `body` against a fresh router over the shared test database.
    static func run(_ body: @escaping @Sendable (TestApp) async throws -> Void) async throws {
        let database = try await TestDatabase.shared.value
        let postgres = PostgresClient(configuration: database.app.clientConfiguration, backgroundLogger: TestDatabase.logger)
        let services = GuanxiServices(database: Database(client: postgres, logger: TestDatabase.logger), passwordCost: 4,
                                     allowsLoopbackWebhooks: true)
        let configuration = GatewayConfiguration(certificatePath: "", privateKeyPath: "")
        let app = Application(router: buildRouter(services: services, configuration: configuration),
                              services: [PostgresClientService(client: postgres)], logger: TestDatabase.logger)
        try await app.test(.router) { client in
            let token = Secret.random()
            try await services.authenticator.registerOperatorToken(token, name: "test")
            try await body(TestApp(services: services, client: client, operatorToken: token))
        }
    }

    /// A new tenant with its first API key, through the operator API.
    func makeTenant(name: String = "Test Firm", locale: String = "en") async throws -> TestTenant {
        let slug = "t" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let password = "correct horse battery"
        let response = try await request(.post, "/ops/v1/tenants", token: operatorToken, json: [
            "name": name, "slug": slug, "admin_email": "owner@\(slug).example", "admin_password": password, "locale": locale,
        ])
        #expect(response.status == .created, "\(response.body.string)")
        let object = try response.json()
        let tenant = try #require(object["tenant"] as? [String: Any])
        return TestTenant(id: try #require(TenantID(tenant["id"] as? String ?? "")), slug: slug,
                          apiKey: try #require(object["api_key"] as? String), adminEmail: "owner@\(slug).example",
                          adminPassword: password)
    }

    @discardableResult
    func request(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: [String: Any]? = nil,
                 body: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(string: body)
        }
        return try await client.execute(uri: path, method: method, headers: headers, body: buffer)
    }
}

struct TestTenant {
    let id: TenantID
    let slug: String
    let apiKey: String
    let adminEmail: String
    let adminPassword: String
}

extension TestResponse {
    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any], "\(body.string)")
    }

    /// The stable error code of an error response.
    var errorCode: String? {
        ((try? json())?["error"] as? [String: Any])?["code"] as? String
    }
}

extension ByteBuffer {
    var string: String { String(buffer: self) }
}
