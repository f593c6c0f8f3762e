import GuanxiCore
import HTTPTypes

// `/api/openapi.json`: OpenAPIController.

extension OpenAPI.Area {
    static let apiDescription = OpenAPI.Area(
        tag: "API description",
        description: "This document.",
        access: .open,
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/" + OpenAPIController.path, id: "getOpenAPIDocument", summary: "This OpenAPI 3.1 document",
                description: "Open to anyone: it holds no workspace's data.",
                success: OpenAPI.Success.ok(OpenAPI.Schema.anyObject.described("An OpenAPI 3.1 document."), "The document.")
                    .with(header: "Cache-Control", OpenAPI.Header(description: OpenAPIController.cacheControl, schema: .string()))),
        ])
}
