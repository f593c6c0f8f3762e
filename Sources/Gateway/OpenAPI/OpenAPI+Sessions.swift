import GuanxiCore
import HTTPTypes

// `/auth/login` and `/auth/logout`: SessionController.

extension OpenAPI.ErrorCode {
    static let workspaceNotFound = Self(404, "workspace_not_found", "The host names no workspace; sign in at `<slug>.<base domain>`.")
    static let invalidLogin = Self(401, "invalid_login", "Wrong email or password; an unknown email answers the same, and takes about as long.")
    static let tooManyLoginAttempts = Self(429, "too_many_login_attempts",
                                           "More than 10 sign-in attempts for this email in this workspace in a sliding minute.",
                                           retryAfter: true)
}

extension OpenAPI.Area {
    static let sessions = OpenAPI.Area(
        tag: "Sessions",
        description: "Signing in with email and password for a session cookie. These run on a workspace's own host, "
            + "`<slug>.<base domain>`, and take no credential.",
        access: .workspaceHost,
        schemas: [
            "SignedIn": .record([
                "tenant_id": OpenAPI.Schema.id.described("The workspace signed in to."),
                "expires_at": OpenAPI.Schema.time.described("When the session ends: 12 hours after signing in."),
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .post, path: "/auth/login", id: "signIn", summary: "Sign in to the workspace of this host",
                description: "Checks the email and password of a member of the host's workspace and opens a session. The workspace's "
                    + "status is read on every attempt, so a suspension holds at once.",
                body: .body([
                    "email": OpenAPI.Schema.string().described("The member's email, in any case."),
                    "password": .string(),
                ], required: ["email", "password"]),
                success: OpenAPI.Success.ok(.ref("SignedIn"), "Signed in; the session cookie is set.")
                    .with(header: "Set-Cookie", OpenAPI.Header(
                        description: "`gx_session=<token>; Max-Age=<seconds>; Path=/; Secure; HttpOnly; SameSite=Lax`.",
                        schema: .string())),
                errors: [.workspaceNotFound, .tooManyLoginAttempts, .tenantSuspended, .invalidLogin]),
            OpenAPI.Operation(
                method: .post, path: "/auth/logout", id: "signOut", summary: "Sign out",
                description: "Ends the session of the `gx_session` cookie, if one was sent, and clears the cookie.",
                success: OpenAPI.Success.noContent("Signed out.")
                    .with(header: "Set-Cookie", OpenAPI.Header(
                        description: "`gx_session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`.", schema: .string())),
                errors: [.workspaceNotFound]),
        ])
}
