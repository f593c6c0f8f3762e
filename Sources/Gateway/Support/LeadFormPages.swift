import GuanxiCore
import Tenancy

/// The public lead form's HTML pages, in the workspace's language: the form, the thanks, and a
/// refusal that names its stable code. A page for an address that names no workspace is in both
/// languages, since there is no workspace to take one from.
enum LeadFormPages {
    struct Texts: Sendable {
        var language: String
        var title: @Sendable (String) -> String
        var intro: String
        var name: String
        var company: String
        var email: String
        var phone: String
        var message: String
        var send: String
        var thanksTitle: String
        var thanks: @Sendable (String) -> String
        var again: String
        var refused: String
        var checkField: @Sendable (String) -> String
        var reasons: [String: String]

        static func of(_ locale: String) -> Texts { locale == "zh-CN" ? chinese : english }

        static let english = Texts(
            language: "en", title: { "Contact \($0)" }, intro: "Leave your name and an email address or a phone number, and we will get back to you.",
            name: "Name", company: "Company", email: "Email", phone: "Phone", message: "Message", send: "Send",
            thanksTitle: "Thank you", thanks: { "Your message has reached \($0). We will be in touch." }, again: "Back to the form",
            refused: "Your message was not sent.", checkField: { "Please check this field: \($0)." },
            reasons: [
                "form_not_found": "There is no form at this address.",
                "form_rate_limited": "Too many messages came from your address just now; please try again later.",
                "form_submitted_too_fast": "The form was sent very quickly after it was shown; please wait a moment and send it again.",
                "form_token_expired": "The form was shown more than an hour ago; please load it again.",
                "form_token_invalid": "The form could not be checked; please load it again.",
                "invalid_form": "The form arrived damaged; please load it again and send it from the page.",
                "spam_suspected": "The form was filled in a way people do not fill it.",
            ])

        static let chinese = Texts(
            language: "zh-CN", title: { "联系\($0)" }, intro: "请留下您的姓名，以及电子邮箱或电话，我们会尽快与您联系。",
            name: "姓名", company: "公司", email: "电子邮箱", phone: "电话", message: "留言", send: "提交",
            thanksTitle: "谢谢", thanks: { "您的留言已送达\($0)，我们会尽快与您联系。" }, again: "返回表单",
            refused: "您的留言未能提交。", checkField: { "请检查此项：\($0)。" },
            reasons: [
                "form_not_found": "此地址没有表单。",
                "form_rate_limited": "您的网络地址刚刚提交了太多留言，请稍后再试。",
                "form_submitted_too_fast": "表单在打开后提交得太快，请稍等片刻再提交。",
                "form_token_expired": "表单已打开超过一小时，请重新打开。",
                "form_token_invalid": "无法验证表单，请重新打开。",
                "invalid_form": "表单内容已损坏，请重新打开表单后再提交。",
                "spam_suspected": "表单的填写方式不像是人工填写。",
            ])

        func label(of field: String) -> String {
            switch field {
            case "name": name
            case "company": company
            case "email": email
            case "phone": phone
            case "message": message
            default: field
            }
        }
    }

    static func form(_ tenant: Tenant, token: String) -> String {
        let texts = Texts.of(tenant.locale)
        let slug = escape(tenant.slug)
        return page(texts.language, title: texts.title(tenant.name), body: """
            <p>\(escape(texts.intro))</p>
            <form method="post" action="/forms/\(slug)/leads">
            <label>\(escape(texts.name)) * <input name="name" required maxlength="300" autocomplete="name"></label>
            <label>\(escape(texts.company)) <input name="company" maxlength="300" autocomplete="organization"></label>
            <label>\(escape(texts.email)) <input type="email" name="email" maxlength="254" autocomplete="email"></label>
            <label>\(escape(texts.phone)) <input type="tel" name="phone" maxlength="40" autocomplete="tel"></label>
            <label>\(escape(texts.message)) <textarea name="message" rows="5" maxlength="5000"></textarea></label>
            <div class="hp" aria-hidden="true"><label>Website <input name="website" tabindex="-1" autocomplete="off"></label></div>
            <input type="hidden" name="form_token" value="\(escape(token))">
            <button type="submit">\(escape(texts.send))</button>
            </form>
            """)
    }

    static func thanks(_ tenant: Tenant) -> String {
        let texts = Texts.of(tenant.locale)
        return page(texts.language, title: texts.thanksTitle, body: "<p>\(escape(texts.thanks(tenant.name)))</p>")
    }

    /// Why a submission was refused, for the workspace's visitors, or in both languages without a workspace.
    static func refusal(_ error: GuanxiError, tenant: Tenant?) -> String {
        let languages = tenant.map { [Texts.of($0.locale)] } ?? [Texts.english, Texts.chinese]
        let paragraphs = languages.map { texts in
            let reason: String = if error.code == "invalid_field", let field = error.details["field"] {
                texts.checkField(texts.label(of: field))
            } else {
                texts.reasons[error.code] ?? ""
            }
            let back = tenant.map { " <a href=\"/forms/\(escape($0.slug))\">\(escape(texts.again))</a>" } ?? ""
            return "<p>\(escape(reason))\(back)</p>"
        }
        return page(languages[0].language, title: languages.map(\.refused).joined(separator: " "),
                    body: paragraphs.joined(separator: "\n") + "\n<p><code>\(escape(error.code))</code></p>")
    }

    static func page(_ language: String, title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(language)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5 }
        label { display: block; margin-top: 1rem }
        input, textarea { display: block; width: 100%; box-sizing: border-box; padding: .5rem; font: inherit }
        button { margin-top: 1.5rem; padding: .6rem 1.4rem; font: inherit }
        .hp { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden }
        </style>
        </head>
        <body>
        <h1>\(escape(title))</h1>
        \(body)
        </body>
        </html>

        """
    }

    /// Text safe inside HTML elements and quoted attributes.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
