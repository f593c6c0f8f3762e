import Database

extension ImportObject {
    /// People who may become customers, as a sales rep brings them back from a trade fair. The
    /// person's fields follow a contact's rules, as the leads service's do. Every new lead starts
    /// `new` and is owned by the member who commits the import (the column's default, from
    /// `app.user_id`; `Migrations/0016_import_leads.sql`). Duplicates are found by email, then by
    /// the phone number's digits; a converted lead is never updated.
    static let leads = ImportObject(name: "leads", table: "leads", fields: [
        ImportField("name", headers: ["name", "full name", "contact", "contact name", "lead", "lead name",
                                      "姓名", "名字", "联系人", "联系人姓名", "客户姓名"],
                    required: true) { try ContactFields.name($0) },
        ImportField("company", headers: ["company", "company name", "account", "account name", "organisation", "organization",
                                         "公司", "公司名称", "单位", "单位名称", "企业", "企业名称", "所属公司"]) {
            try LeadFields.company($0)
        },
        ImportField("email", headers: ["email", "e-mail", "email address", "mail", "邮箱", "电子邮件", "电子邮箱", "邮件", "邮箱地址"]) {
            try ContactFields.email($0)
        },
        ImportField("phone", headers: ["phone", "telephone", "tel", "mobile", "cell", "phone number", "mobile phone",
                                       "电话", "手机", "手机号", "手机号码", "电话号码", "联系电话", "联系方式"]) { try ContactFields.phone($0) },
        ImportField("title", headers: ["title", "job title", "position", "role", "职位", "职务", "头衔", "岗位"]) { try ContactFields.title($0) },
        ImportField("source", headers: ["source", "lead source", "来源", "线索来源", "客户来源", "来源渠道", "渠道"]) {
            try LeadFields.source($0)
        },
        ImportField("message", headers: ["message", "notes", "note", "comment", "comments", "remarks",
                                         "备注", "留言", "说明", "需求"]) { try LeadFields.message($0) },
    ], dedupeKeys: [.lowercased("email", stored: "email"), .digits("phone", stored: "phone")],
       kind: .lead, customFieldObject: .lead, settledColumn: "converted_at")
}
