import Database

extension ImportObject {
    /// People. Duplicates are found by email, then by the phone number's digits. A contact's account
    /// is given by its name or by its id; a header proposes the name first, because names travel
    /// between workspaces and ids do not.
    static let contacts = ImportObject(name: "contacts", table: "contacts", fields: [
        ImportField("name", headers: ["name", "full name", "contact", "contact name", "姓名", "名称", "名字", "联系人", "联系人姓名", "客户姓名"],
                    required: true) { try ContactFields.name($0) },
        ImportField("email", headers: ["email", "e-mail", "email address", "mail", "邮箱", "电子邮件", "电子邮箱", "邮件", "邮箱地址"]) {
            try ContactFields.email($0)
        },
        ImportField("phone", headers: ["phone", "telephone", "tel", "mobile", "cell", "phone number", "mobile phone",
                                       "电话", "手机", "手机号", "手机号码", "电话号码", "联系电话", "联系方式"]) { try ContactFields.phone($0) },
        ImportField("title", headers: ["title", "job title", "position", "role", "职位", "职务", "头衔", "岗位"]) { try ContactFields.title($0) },
        ImportField("account_name", column: "account_id",
                    headers: ["account name", "account", "company", "company name", "organisation", "organization",
                              "公司", "公司名称", "单位", "企业", "企业名称", "所属公司", "客户"],
                    reference: .byName("account", in: "accounts")),
        ImportField("account_id", column: "account_id", headers: ["account id"], reference: .byID("account", in: "accounts")),
    ], dedupeKeys: [.lowercased("email", stored: "email"), .digits("phone", stored: "phone_digits")],
       kind: .contact, customFieldObject: .contact)
}
