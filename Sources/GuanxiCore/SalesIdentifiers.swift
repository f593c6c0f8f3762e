/// Typed ids of the sales records: leads, pipelines and their stages, deals and their stage
/// changes, activities.
public enum LeadTag {}
public enum PipelineTag {}
public enum StageTag {}
public enum DealTag {}
public enum DealStageChangeTag {}
public enum ActivityTag {}

public typealias LeadID = Identifier<LeadTag>
public typealias PipelineID = Identifier<PipelineTag>
public typealias StageID = Identifier<StageTag>
public typealias DealID = Identifier<DealTag>
public typealias DealStageChangeID = Identifier<DealStageChangeTag>
public typealias ActivityID = Identifier<ActivityTag>
