import GuanxiCore
import PostgresNIO

extension PSQLError {
    /// What a client can be told: constraint failures become conflicts or invalid input with a stable
    /// code; anything else stays an internal failure and never leaks SQL to the client.
    @usableFromInline var guanxiError: GuanxiError {
        guard let server = serverInfo, let state = server[.sqlState] else {
            return GuanxiError(.unavailable, code: "database_unavailable",
                               message: "The database could not be reached; try again shortly.")
        }
        let constraint = server[.constraintName] ?? ""
        switch state {
        case "GX001":
            // raised by consume_quota() with DETAIL 'kind:limit:used'
            let parts = (server[.detail] ?? "").split(separator: ":").map(String.init)
            let (quota, limit, used) = parts.count == 3 ? (parts[0], parts[1], parts[2]) : ("records", "?", "?")
            return GuanxiError(.quotaExceeded, code: "quota_exceeded",
                               message: "Your plan allows \(limit) \(quota); \(used) are in use. Delete some or move to a larger plan.",
                               details: ["quota": quota, "limit": limit, "used": used])
        case "23505":
            return GuanxiError(.conflict, code: "already_exists",
                               message: "A record with the same unique value already exists.",
                               details: ["constraint": constraint])
        case "23503":
            return GuanxiError(.invalid, code: "invalid_reference",
                               message: "A referenced record does not exist in this workspace, or is still referenced.",
                               details: ["constraint": constraint])
        // 22021: a NUL character, which PostgreSQL's text cannot hold, sent in a value or a filter
        case "23514", "23502", "22001", "22003", "22007", "22008", "22P02", "22021":
            return GuanxiError(.invalid, code: "invalid_value",
                               message: "A value was rejected: \(server[.message] ?? "out of range or malformed").",
                               details: constraint.isEmpty ? [:] : ["constraint": constraint])
        case "40001", "40P01":
            return GuanxiError(.conflict, code: "concurrent_update",
                               message: "Another change to the same records happened at the same time; retry the request.")
        case "42501":
            return GuanxiError(.forbidden, code: "database_permission_denied",
                               message: "The database refused this operation for the serving role.")
        default:
            return GuanxiError(.internalFailure, code: "internal_error",
                               message: "Something went wrong on our side (SQLSTATE \(state)).")
        }
    }
}
