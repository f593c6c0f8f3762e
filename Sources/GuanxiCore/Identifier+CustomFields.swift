/// Ids of a workspace's custom field definitions.
public enum CustomFieldTag {}

public typealias CustomFieldID = Identifier<CustomFieldTag>
