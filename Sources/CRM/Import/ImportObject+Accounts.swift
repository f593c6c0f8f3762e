import Database

extension ImportObject {
    /// Companies. Duplicates are found by name (without regard to case), then by the phone
    /// number's digits.
    static let accounts = ImportObject(name: "accounts", table: "accounts", fields: [
        ImportField("name", headers: ["name", "account name", "account", "company", "company name", "organisation", "organization",
                                      "名称", "公司", "公司名称", "企业名称", "客户名称", "单位名称", "单位"],
                    required: true) { try AccountFields.name($0) },
        ImportField("website", headers: ["website", "web site", "url", "web", "homepage", "site", "网站", "网址", "官网", "主页"]) {
            try AccountFields.website($0)
        },
        ImportField("phone", headers: ["phone", "telephone", "tel", "phone number", "电话", "联系电话", "电话号码", "总机"]) {
            try AccountFields.phone($0)
        },
        ImportField("industry", headers: ["industry", "sector", "行业", "所属行业", "行业类别"]) { try AccountFields.industry($0) },
    ], dedupeKeys: [.lowercased("name", stored: "name"), .digits("phone", stored: "phone")],
       kind: .account, customFieldObject: .account)
}
