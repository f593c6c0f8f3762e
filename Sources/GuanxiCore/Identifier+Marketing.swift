/// Ids of the marketing records: campaigns, their members and the touches of those members.
public enum CampaignTag {}
public enum CampaignMemberTag {}
public enum CampaignTouchTag {}

public typealias CampaignID = Identifier<CampaignTag>
public typealias CampaignMemberID = Identifier<CampaignMemberTag>
public typealias CampaignTouchID = Identifier<CampaignTouchTag>
