import Foundation

/// The provider's side of billing: whose invoices these are, how they are numbered, when they
/// fall due and how unpaid ones are chased.
public struct BillingConfiguration: Sendable {
    /// The provider as its invoices name it.
    public struct Provider: Sendable, Codable, Equatable {
        public var name: String
        public var address: String
        public var taxID: String
        public var email: String

        public init(name: String, address: String = "", taxID: String = "", email: String = "") {
            self.name = name
            self.address = address
            self.taxID = taxID
            self.email = email
        }
    }

    /// Days after an invoice's due date at which each dunning step is taken.
    public struct DunningPolicy: Sendable, Equatable {
        public var pastDueAfterDays: Int
        public var readOnlyAfterDays: Int
        public var suspendAfterDays: Int

        public init(pastDueAfterDays: Int = 7, readOnlyAfterDays: Int = 21, suspendAfterDays: Int = 45) {
            self.pastDueAfterDays = pastDueAfterDays
            self.readOnlyAfterDays = readOnlyAfterDays
            self.suspendAfterDays = suspendAfterDays
        }

        /// The steps must come in order, each at least a day after the due date.
        public var isValid: Bool { 1 <= pastDueAfterDays && pastDueAfterDays < readOnlyAfterDays && readOnlyAfterDays < suspendAfterDays }
    }

    public var provider: Provider
    /// Invoice numbers read `<prefix>-<year>-<number>`.
    public var numberPrefix: String
    public var paymentTermsDays: Int
    public var dunning: DunningPolicy

    public init(provider: Provider = Provider(name: "Guanxi"), numberPrefix: String = "GX", paymentTermsDays: Int = 14,
                dunning: DunningPolicy = DunningPolicy()) {
        self.provider = provider
        self.numberPrefix = numberPrefix
        self.paymentTermsDays = paymentTermsDays
        self.dunning = dunning
    }
}
