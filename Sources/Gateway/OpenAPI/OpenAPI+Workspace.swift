import GuanxiCore
import HTTPTypes
import Subscriptions
import Tenancy

// `/api/v1/me`, `/api/v1/api-keys` (WorkspaceController), `/api/v1/subscription` and `/api/v1/limits`
// (SubscriptionController).

extension OpenAPI.Schema {
    /// A member's role.
    static let role = oneOf(MembershipRole.allCases.map(\.rawValue))
    static let billingCycle = oneOf(BillingCycle.allCases.map(\.rawValue))
    /// A count limit of a plan; `null` is unlimited.
    static let countLimit = integer(minimum: 0).orNull.described("`null`: unlimited.")
    /// An amount of money in minor units of the plan's currency (fen for CNY).
    static let minorUnits = integer(minimum: 0).described("In minor units of `currency` (fen for CNY).")
}

extension OpenAPI.Area {
    static let workspace = OpenAPI.Area(
        tag: "Workspace",
        description: "Who is calling, the workspace's API keys (owners and admins only), and what the workspace rents and uses.",
        access: .workspace,
        schemas: [
            "Me": .record([
                "tenant_id": .id,
                "tenant_slug": .string().described("The workspace's host is `<tenant_slug>.<base domain>`."),
                "user_id": .id.described("The member the credential acts as."),
                "role": .role,
                "locale": .string().described("The workspace's locale: `en` or `zh-CN`."),
                "time_zone": .string().described("The workspace's IANA time zone, such as `Asia/Shanghai`; days and periods count in it."),
            ]),
            "CreatedAPIKey": .record([
                "api_key": .string().described("The key, `gx_…`. Shown only here: keep it."),
                "name": .string(),
            ]),
            "APIKey": .record([
                "id": .id,
                "name": .string(),
                "display_prefix": .string().described("`gx_…` and the first 6 characters of the secret, to tell keys apart."),
                "created_at": .time,
                "revoked_at": OpenAPI.Schema.time.orNull.described("`null` while the key works."),
            ]),
            "PlanLimits": .record([
                "contacts": .countLimit,
                "accounts": .countLimit,
                "storage_mb": .countLimit,
                "api_per_minute": .integer(minimum: 0),
                "api_per_minute_per_key": OpenAPI.Schema.integer(minimum: 0).described("One API key's or session's share of the minute."),
                "api_per_day": .integer(minimum: 0),
                "concurrent_requests": .integer(minimum: 0),
                "webhooks": .countLimit,
                "custom_fields": .countLimit,
            ]),
            "Plan": .record([
                "id": .id.described("This version of the plan."),
                "code": .string(),
                "version": .integer(minimum: 1),
                "name_en": .string(),
                "name_zh": .string(),
                "currency": .string(pattern: "^[A-Z]{3}$").described("ISO 4217, such as `CNY`."),
                "price_month_minor": .minorUnits,
                "price_year_minor": .minorUnits,
                "included_seats": .integer(minimum: 0),
                "extra_seat_month_minor": .minorUnits,
                "limits": .ref("PlanLimits"),
                "features": .array(of: .string()),
                "rank": OpenAPI.Schema.integer().described("Order from small to large plans: moving up is an upgrade."),
                "is_entry": OpenAPI.Schema.boolean.described("Whether new workspaces without a chosen plan try this one."),
            ]),
            "Subscription": .record([
                "tenant_id": .id,
                "plan": .ref("Plan"),
                "status": .oneOf(Subscription.Status.allCases.map(\.rawValue)),
                "billing_cycle": .billingCycle,
                "seats": OpenAPI.Schema.integer(minimum: 1).described("Members the workspace may have."),
                "started_at": .time,
                "anchored_at": OpenAPI.Schema.time.described("Billing periods count from here."),
                "trial_ends_at": OpenAPI.Schema.time.orNull.described("`null` when the subscription began without a trial."),
                "current_period_start": .time,
                "current_period_end": .time,
                "scheduled_plan": OpenAPI.Schema.ref("Plan").orNull.described("A downgrade waiting for the period's end."),
                "scheduled_billing_cycle": OpenAPI.Schema.billingCycle.orNull.described("A change of cycle waiting for the period's end."),
            ]),
            "QuotaUse": .record([
                "name": .string().described("`contacts`, `accounts`, `seats`, `api_requests_per_day`, `api_requests_per_minute`, "
                    + "`api_requests_per_minute_per_key`, `concurrent_requests`, `storage_mb`, `webhooks` or `custom_fields`."),
                "limit": .countLimit,
                "used": .integer(minimum: 0),
                "remaining": OpenAPI.Schema.integer(minimum: 0).orNull.described("`null`: unlimited."),
            ]),
            "Limits": .record(["data": .array(of: .ref("QuotaUse"))]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/api/v1/me", id: "getMe", summary: "Who is calling",
                success: .ok(.ref("Me"), "The workspace and the member the credential acts as.")),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/api-keys", id: "createAPIKey", summary: "Make an API key",
                description: "The key acts as the member `user_id` (the caller when left out), with that member's role. Owners and admins only.",
                body: .body([
                    "name": .string(length: 1...100),
                    "user_id": OpenAPI.Schema.id.orNull.described("A member of this workspace; the caller when left out or `null`."),
                ], required: ["name"]),
                success: .created(.ref("CreatedAPIKey"), "The key, shown only in this answer."),
                errors: [.forbiddenRole,
                         OpenAPI.ErrorCode(422, "invalid_field", "`name` is not 1–100 characters, `user_id` is not a member of this "
                             + "workspace, or a field has the wrong type; `details.field` names it.")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/api-keys", id: "listAPIKeys", summary: "List the workspace's API keys",
                description: "Never the secrets. Owners and admins only.",
                success: .page(of: "APIKey", "A page of keys, in creation order."),
                errors: [.forbiddenRole]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/api-keys/{id}", id: "revokeAPIKey", summary: "Revoke an API key",
                description: "The key stops working at once on this server and within 5 seconds on others. Revoking a revoked key "
                    + "succeeds. Owners and admins only.",
                parameters: [.id("id", "The key's id.")],
                success: .noContent("Revoked."),
                errors: [.forbiddenRole, .notFound("api_key")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/subscription", id: "getSubscription", summary: "The workspace's subscription",
                success: .ok(.ref("Subscription"), "The plan, status, seats and billing periods.")),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/limits", id: "getLimits", summary: "Every quota with its limit and use",
                description: "Request counts are those of the server that answers; `storage_mb` and `custom_fields` show `used` 0.",
                success: .ok(.ref("Limits"), "One entry per quota.")),
        ])
}
