import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

/// The context every request starts with. Authentication middleware fills in a principal;
/// the tenant and operator route groups then require it through their child contexts.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var tenantPrincipal: TenantPrincipal?
    public var operatorPrincipal: OperatorPrincipal?
    /// The client's address as this server's socket sees it (a proxy's, behind one); `nil`
    /// where there is no socket, as under the router test client.
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    public var responseEncoder: JSONEncoder { JSONCoding.encoder }
}

/// A request that carries a workspace identity. It cannot be built without one, so a tenant
/// route cannot run unauthenticated.
public struct TenantRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let principal: TenantPrincipal

    public init(context: GatewayRequestContext) throws {
        guard let principal = context.tenantPrincipal else {
            throw GuanxiError(.unauthenticated, code: "authentication_required",
                              message: "Send Authorization: Bearer <api key>, or sign in on your workspace's address.")
        }
        self.coreContext = context.coreContext
        self.principal = principal
    }

    public var responseEncoder: JSONEncoder { JSONCoding.encoder }

    /// Only these roles may go on; others get `forbidden_role`.
    public func require(_ roles: Set<MembershipRole>) throws {
        guard roles.contains(principal.role) else {
            throw GuanxiError(.forbidden, code: "forbidden_role",
                              message: "Your role (\(principal.role.rawValue)) may not do this; ask an owner or admin.")
        }
    }
}

/// A request from the provider's operator.
public struct OperatorRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let principal: OperatorPrincipal

    public init(context: GatewayRequestContext) throws {
        guard let principal = context.operatorPrincipal else {
            throw GuanxiError(.unauthenticated, code: "operator_authentication_required",
                              message: "Send Authorization: Bearer <operator token>.")
        }
        self.coreContext = context.coreContext
        self.principal = principal
    }

    public var responseEncoder: JSONEncoder { JSONCoding.encoder }
}
