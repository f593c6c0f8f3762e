import CRM
import Foundation
import GuanxiCore
import Hummingbird
import NIOCore
import Subscriptions
import Tenancy

/// The public lead form of each workspace, by its slug, without credentials:
/// `GET /forms/{slug}` (the HTML form), `GET /forms/{slug}/token` (a token for a form of one's
/// own) and `POST /forms/{slug}/leads` (form fields or JSON). A slug that names no workspace, a
/// suspended workspace and one whose subscription takes no writes all answer the same 404
/// `form_not_found`, so the form tells nothing about which workspaces exist.
struct LeadFormController {
    let form: LeadForm
    let tenants: TenantDirectory
    let subscriptions: Subscriptions
    /// Submissions per workspace and client address.
    let throttle: AttemptThrottle
    let maxBodyBytes: Int

    init(form: LeadForm, tenants: TenantDirectory, subscriptions: Subscriptions, maxBodyBytes: Int) {
        self.form = form
        self.tenants = tenants
        self.subscriptions = subscriptions
        self.throttle = AttemptThrottle(limit: 10, window: .seconds(600)) { seconds in
            GuanxiError(.rateLimited, code: "form_rate_limited",
                        message: "Too many submissions from this address; try again in \(seconds) seconds.",
                        details: ["retry_after_seconds": "\(seconds)"])
        }
        self.maxBodyBytes = min(maxBodyBytes, 64 << 10)
    }

    func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("forms/{slug}", use: page)
        router.get("forms/{slug}/token", use: token)
        router.post("forms/{slug}/leads", use: submit)
    }

    /// The workspace whose form this is, while it takes leads: active, and its subscription takes writes.
    func workspace(_ context: GatewayRequestContext) async throws -> Tenant {
        guard let slug = context.parameters.get("slug"), let tenant = try await tenants.find(slug: slug),
              tenant.status == .active else { throw LeadForm.notFound }
        switch try await subscriptions.current(tenant.id).status {
        case .trialing, .active, .pastDue: return tenant
        case .readOnly, .locked, .cancelled: throw LeadForm.notFound
        }
    }

    @Sendable func page(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        do {
            let tenant = try await workspace(context)
            return Self.html(.ok, LeadFormPages.form(tenant, token: try await form.token(for: tenant.id)))
        } catch let error as GuanxiError where error == LeadForm.notFound {
            return Self.html(.notFound, LeadFormPages.refusal(error, tenant: nil))
        }
    }

    struct IssuedToken: ResponseEncodable {
        var form_token: String
        /// Sent earlier than this, a submission is refused as too fast.
        var not_before: Date
        var expires_at: Date
    }

    @Sendable func token(_ request: Request, context: GatewayRequestContext) async throws -> IssuedToken {
        let tenant = try await workspace(context)
        let now = Date()
        return IssuedToken(form_token: try await form.token(for: tenant.id, issuedAt: now),
                           not_before: now.addingTimeInterval(LeadForm.minimumAge), expires_at: now.addingTimeInterval(LeadForm.maximumAge))
    }

    struct Received: ResponseEncodable {
        var status = "received"
    }

    /// A browser's form post is answered with a page, in the workspace's language, refusals
    /// included (with their status and code); any other client with JSON.
    @Sendable func submit(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let fromBrowser = contentType.hasPrefix("application/x-www-form-urlencoded") || contentType.hasPrefix("multipart/form-data")
        var tenant: Tenant?
        do {
            let slug = (context.parameters.get("slug") ?? "").lowercased()
            try throttle.attempt("\(slug)|\(context.remoteAddress?.ipAddress ?? "unknown")")
            tenant = try await workspace(context)
            let submission = fromBrowser ? try await Self.decodeForm(request, maxBytes: maxBodyBytes)
                                         : try await request.decodeBody(LeadFormSubmission.self, maxBytes: maxBodyBytes)
            try await form.submit(tenant!.id, submission)
            if fromBrowser { return Self.html(.created, LeadFormPages.thanks(tenant!)) }
            return try EditedResponse(status: .created, response: Received()).response(from: request, context: context)
        } catch let error where fromBrowser {
            let refusal = ErrorMiddleware.guanxiError(error)
            var response = ErrorMiddleware.response(for: error, logger: context.logger)  // logs failures on our side
            response.body = ResponseBody(byteBuffer: ByteBuffer(string: LeadFormPages.refusal(refusal, tenant: tenant)))
            response.headers[.contentType] = "text/html; charset=utf-8"
            return response
        }
    }

    /// A browser's form post, urlencoded or multipart. A body that is not a well-formed form is 400
    /// `invalid_form`; fields other than the submission's are ignored, since a firm's own form may carry more.
    static func decodeForm(_ request: Request, maxBytes: Int) async throws -> LeadFormSubmission {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch {
            throw GuanxiError(.payloadTooLarge, code: "payload_too_large", message: "The form is larger than \(maxBytes) bytes.")
        }
        let form: FormBody
        if let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = MultipartForm.boundary(ofContentType: contentType) else {
                throw FormBody.invalid("The form's Content-Type names no boundary between its parts; send it from the form's page.")
            }
            form = try FormBody(multipart: buffer, boundary: boundary)
        } else {
            form = try FormBody(buffer)
        }
        return LeadFormSubmission(name: form["name"], company: form["company"], email: form["email"], phone: form["phone"],
                                  message: form["message"], website: form["website"], formToken: form["form_token"])
    }

    /// The form's pages load nothing from elsewhere and post only to this server.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"

    /// A page that may be shown inside the workspace's own website, and that loads nothing from elsewhere.
    static func html(_ status: HTTPResponse.Status, _ page: String) -> Response {
        Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .contentSecurityPolicy: contentSecurityPolicy,
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
