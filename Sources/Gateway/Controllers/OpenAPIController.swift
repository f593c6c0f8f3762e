import Foundation
import Hummingbird
import NIOCore

/// `GET /api/openapi.json`: the OpenAPI 3.1 description of the tenant API. It holds no workspace's
/// data, so it needs no credential; it is encoded once and served as the same bytes every time.
struct OpenAPIController {
    static let path = "api/openapi.json"
    static let cacheControl = "public, max-age=3600"
    let document: ByteBuffer

    init(document: Data = OpenAPI.encoded) {
        self.document = ByteBuffer(bytes: document)
    }

    func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get(RouterPath(Self.path)) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: Self.cacheControl],
                     body: .init(byteBuffer: document))
        }
    }
}
