/// An amount of money in integer minor units (cents, fen) of an ISO 4217 currency. Never floating point.
public struct Money: Hashable, Sendable, Codable {
    public var amountMinor: Int64
    public var currency: String

    public init(amountMinor: Int64, currency: String) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    enum CodingKeys: String, CodingKey {
        case amountMinor = "amount_minor"
        case currency
    }
}
