import Foundation
import GuanxiCore

/// A tenant's subscription as the tenant and the operators see it.
public struct Subscription: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case trialing, active
        case pastDue = "past_due"
        /// Suspended, first stage: reads and exports work, writes are refused.
        case readOnly = "read_only"
        /// Suspended, second stage: nothing works until reactivated.
        case locked
        case cancelled
    }

    public var tenantID: TenantID
    public var plan: Plan
    public var status: Status
    public var billingCycle: BillingCycle
    public var seats: Int
    public var startedAt: Date
    /// Billing periods count from here: the start, or the last change of billing cycle.
    public var anchoredAt: Date
    public var trialEndsAt: Date?
    public var currentPeriodStart: Date
    public var currentPeriodEnd: Date
    /// A downgrade waiting for the end of the current period.
    public var scheduledPlan: Plan?
    /// A change of billing cycle waiting for the end of the current period.
    public var scheduledBillingCycle: BillingCycle?

    enum CodingKeys: String, CodingKey {
        case plan, status, seats
        case tenantID = "tenant_id"
        case billingCycle = "billing_cycle"
        case startedAt = "started_at"
        case anchoredAt = "anchored_at"
        case scheduledBillingCycle = "scheduled_billing_cycle"
        case trialEndsAt = "trial_ends_at"
        case currentPeriodStart = "current_period_start"
        case currentPeriodEnd = "current_period_end"
        case scheduledPlan = "scheduled_plan"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tenantID, forKey: .tenantID)
        try container.encode(plan, forKey: .plan)
        try container.encode(status, forKey: .status)
        try container.encode(billingCycle, forKey: .billingCycle)
        try container.encode(seats, forKey: .seats)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(anchoredAt, forKey: .anchoredAt)
        try container.encode(trialEndsAt, forKey: .trialEndsAt)
        try container.encode(currentPeriodStart, forKey: .currentPeriodStart)
        try container.encode(currentPeriodEnd, forKey: .currentPeriodEnd)
        try container.encode(scheduledPlan, forKey: .scheduledPlan)
        try container.encode(scheduledBillingCycle, forKey: .scheduledBillingCycle)
    }
}

/// One recorded change of a subscription: what changed, why, and who did it.
public struct SubscriptionEvent: Sendable, Codable, Equatable {
    public var id: UUID
    public var occurredAt: Date
    public var kind: String
    public var fromStatus: String?
    public var toStatus: String?
    public var fromPlanID: UUID?
    public var toPlanID: UUID?
    public var seats: Int?
    public var cause: String
    public var actor: String

    enum CodingKeys: String, CodingKey {
        case id, kind, seats, cause, actor
        case occurredAt = "occurred_at"
        case fromStatus = "from_status"
        case toStatus = "to_status"
        case fromPlanID = "from_plan_id"
        case toPlanID = "to_plan_id"
    }
}

/// The lifecycle moves an operator (or the dunning and renewal jobs) can make, and from where.
public enum SubscriptionTransition: String, Sendable, CaseIterable {
    case activate
    case markPastDue = "past-due"
    case suspendReadOnly = "read-only"
    case lock
    case cancel
    case reactivate

    var target: Subscription.Status {
        switch self {
        case .activate, .reactivate: .active
        case .markPastDue: .pastDue
        case .suspendReadOnly: .readOnly
        case .lock: .locked
        case .cancel: .cancelled
        }
    }

    var allowedFrom: Set<Subscription.Status> {
        switch self {
        case .activate: [.trialing, .pastDue]
        case .markPastDue: [.active, .trialing]
        case .suspendReadOnly: [.trialing, .active, .pastDue]
        case .lock: [.pastDue, .readOnly]
        case .cancel: [.trialing, .active, .pastDue, .readOnly, .locked]
        case .reactivate: [.pastDue, .readOnly, .locked, .cancelled]
        }
    }
}
