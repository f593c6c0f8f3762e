import CRM
import GuanxiCore
import HTTPTypes

// `/forms/{slug}`, `/forms/{slug}/token` and `/forms/{slug}/leads`: LeadFormController.

extension OpenAPI.ErrorCode {
    static let formNotFound = Self(404, "form_not_found",
                                   "No form at this address: the slug names no workspace, or one that is suspended or whose subscription "
                                       + "takes no writes. All answer alike.")
}

extension OpenAPI.Area {
    private static let slug = OpenAPI.Parameter(name: "slug", location: .path,
                                                description: "The workspace's slug, as in its host `<slug>.<base domain>`.",
                                                schema: .string())

    static let leadForm = OpenAPI.Area(
        tag: "Lead form",
        description: "Each workspace's public web form, through which visitors of the firm's website leave their details as leads "
            + "(source `web_form`, status `new`, owned by the workspace's first owner). No credential, on any host. Spam is kept out "
            + "by a hidden honeypot field, a signed token that must be from 2 seconds to 1 hour old, and at most 10 submissions per "
            + "workspace and client address in a sliding 10 minutes.",
        access: .publicBySlug,
        schemas: [
            "FormToken": .record([
                "form_token": OpenAPI.Schema.string().described("`<unix seconds>.<signature>`; send it as `form_token` with the submission."),
                "not_before": OpenAPI.Schema.time.described("A submission sent earlier is refused as too fast."),
                "expires_at": OpenAPI.Schema.time.described("A submission sent later is refused as expired."),
            ]),
            "FormSubmissionReceived": .record([
                "status": OpenAPI.Schema.oneOf(["received"]).described("Nothing about the lead is returned."),
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/forms/{slug}", id: "getLeadForm", summary: "The form, as an HTML page",
                description: "A small page in the workspace's language with the fields name, company, email, phone and message, the "
                    + "hidden honeypot `website` and a fresh `form_token`, posting to `/forms/{slug}/leads`. It may be shown in a frame "
                    + "on the firm's own site; it loads nothing from elsewhere and is not cached.",
                parameters: [slug],
                success: OpenAPI.Success(status: 200, description: "The form.")
                    .with(header: "Cache-Control", OpenAPI.Header(description: "`no-store`.", schema: .string()))
                    .with(header: "Content-Security-Policy", OpenAPI.Header(
                        description: "`\(LeadFormController.contentSecurityPolicy)`.", schema: .string())),
                errors: [.formNotFound],
                pages: .instead(errors: [OpenAPI.ErrorCode.formNotFound.code])),
            OpenAPI.Operation(
                method: .get, path: "/forms/{slug}/token", id: "getLeadFormToken", summary: "A token for a form of the firm's own making",
                parameters: [slug],
                success: .ok(.ref("FormToken"), "A token, valid from `not_before` to `expires_at`."),
                errors: [.formNotFound]),
            OpenAPI.Operation(
                method: .post, path: "/forms/{slug}/leads", id: "submitLeadForm", summary: "Leave one's details as a lead",
                description: "A browser's form post (`application/x-www-form-urlencoded` or `multipart/form-data`) is answered with a page in the workspace's "
                    + "language, refusals included, with the status and code a JSON client gets. A submission needs `name` and at least "
                    + "one of `email` and `phone`; the fields follow a lead's rules. Every attempt counts against the address's "
                    + "allowance, and every refusal writes nothing.",
                parameters: [slug],
                body: .body([
                    "name": OpenAPI.Schema.string(length: 1...300),
                    "company": OpenAPI.Schema.string(length: ...300).orNull,
                    "email": OpenAPI.Schema.string(length: ...254).orNull.described("An email address; this or `phone` is required."),
                    "phone": OpenAPI.Schema.string(length: ...40).orNull
                        .described("Digits, spaces, `+ - ( ) .` and the letters of `ext`; this or `email` is required."),
                    "message": OpenAPI.Schema.string(length: ...5000).orNull,
                    "website": OpenAPI.Schema.string(length: ...0).orNull.described("The honeypot, hidden from people: leave it empty."),
                    "form_token": OpenAPI.Schema.string().described("From the page or `/forms/{slug}/token`."),
                ], required: ["name", "form_token"]),
                success: .created(.ref("FormSubmissionReceived"), "Received; to a browser, a thank-you page."),
                errors: [
                    .formNotFound,
                    OpenAPI.ErrorCode(413, "payload_too_large", "The body is larger than 64 KiB."),
                    OpenAPI.ErrorCode(400, "invalid_form", "A browser's form post that is not a well-formed form: a `%` without two "
                        + "hexadecimal digits, bytes that are not UTF-8, a part without `=`, a value without a name, a name longer than 100 "
                        + "characters, or a field given twice (`details.field` names it); a multipart body without a boundary or whose "
                        + "parts do not follow it. Fields other than the submission's, and files, are ignored."),
                    OpenAPI.ErrorCode(422, "invalid_field", "`name` is missing or too long, neither `email` nor `phone` is given, or a "
                        + "field breaks a lead's rules; `details.field` names it."),
                    OpenAPI.ErrorCode(422, "spam_suspected", "The hidden honeypot field `website` was filled in."),
                    OpenAPI.ErrorCode(422, "form_token_invalid", "`form_token` is missing, altered, or another workspace's."),
                    OpenAPI.ErrorCode(422, "form_submitted_too_fast", "Sent less than 2 seconds after the token was issued."),
                    OpenAPI.ErrorCode(422, "form_token_expired", "Sent more than an hour after the token was issued."),
                    OpenAPI.ErrorCode(429, "form_rate_limited", "More than 10 submissions from this address to this workspace in a "
                        + "sliding 10 minutes, refused ones included, as each server process counts them.", retryAfter: true),
                ],
                pages: .forFormPosts),
        ])
}
