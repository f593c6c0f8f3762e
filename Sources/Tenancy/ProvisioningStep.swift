import Database

/// Work that belongs to creating a tenant, done by a service above Tenancy (the subscription,
/// say) inside the same transaction, scoped to the new tenant.
public protocol ProvisioningStep: Sendable {
    func provision(_ tenant: Tenant, _ request: TenantDirectory.NewTenant, in transaction: Transaction) async throws
}
