import Billing
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import Tenancy

/// `/ops/v1/reports/{name}?from=YYYY-MM&to=YYYY-MM[&format=csv]`: the host's finance reports.
struct OperatorReportsController {
    let reports: HostReports

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get("reports/{name}", use: report)
    }

    @Sendable func report(_ request: Request, context: OperatorRequestContext) async throws -> Response {
        guard let name = context.parameters.get("name").flatMap(HostReports.Name.init(rawValue:)) else {
            throw GuanxiError(.notFound, code: "report_not_found",
                              message: "Reports are \(HostReports.Name.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let query = request.uri.queryParameters
        let to = try query["to"].map { try BillingMonth.parse(String($0), field: "to") } ?? BillingMonth.current()
        let from = try query["from"].map { try BillingMonth.parse(String($0), field: "from") } ?? to
        var threshold = 8000
        if let text = query["threshold_bp"] {
            guard let value = Int(String(text)) else { throw GuanxiError.invalidField("threshold_bp", "threshold_bp must be a whole number.") }
            threshold = value
        }
        let report = try await reports.report(name, from: from, to: to, thresholdBP: threshold)
        switch query["format"].map(String.init) ?? "json" {
        case "json":
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encoder.encode(report))))
        case "csv":
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                   .contentDisposition: "attachment; filename=\"\(report.name).csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: report.csv())))
        default:
            throw GuanxiError.invalidField("format", "format is json or csv.")
        }
    }
}
