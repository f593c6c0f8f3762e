extension Money {
    /// How many digits of the amount are minor units, by ISO 4217: 2 for most currencies (CNY, USD,
    /// EUR), none for JPY, KRW and a few others, 3 for the dinars of Bahrain, Iraq, Jordan, Kuwait,
    /// Libya and Tunisia and for the rial of Oman, 4 for Chile's and Uruguay's units of account.
    public var minorUnitDigits: Int {
        switch currency {
        case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
            0
        case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
            3
        case "CLF", "UYW":
            4
        default:
            2
        }
    }

    /// The amount as a decimal number in the currency's major unit, computed from the integer minor
    /// units without floating point: `123456` CNY is `1234.56`, `5000` JPY is `5000`.
    public var decimalAmount: String {
        let digits = minorUnitDigits
        let magnitude = String(amountMinor.magnitude)
        let sign = amountMinor < 0 ? "-" : ""
        guard digits > 0 else { return sign + magnitude }
        let padded = String(repeating: "0", count: max(0, digits + 1 - magnitude.count)) + magnitude
        return sign + padded.dropLast(digits) + "." + padded.suffix(digits)
    }
}
