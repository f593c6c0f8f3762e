/// Ids of the service desk's records: cases and the entries of their history.
public enum CaseTag {}
public enum CaseEventTag {}

public typealias CaseID = Identifier<CaseTag>
public typealias CaseEventID = Identifier<CaseEventTag>
