/// Ids of what gives members access to records: shares.
public enum RecordShareTag {}

public typealias RecordShareID = Identifier<RecordShareTag>
