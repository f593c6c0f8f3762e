import CRM
import GuanxiCore
import HTTPTypes

// `/api/v1/imports` (ImportsController), and the CSV exports of the record areas (ExportsController).

extension OpenAPI.ErrorCode {
    static let forbiddenImport = Self(403, "forbidden_role", "A support agent may not import leads: only owners, admins, managers and "
        + "sales reps do. Nothing changes.")
    static let importCommitted = Self(409, "import_committed", "The import is committed already; upload the file again to import it anew.")
    static let importInProgress = Self(409, "import_in_progress", "The import is being committed right now; follow its progress with `GET`.")
}

extension OpenAPI.Schema {
    static let importDedupe = oneOf(ImportDedupe.allCases.map(\.rawValue))
        .described("What a row with the key of an existing record or an earlier row does: `skip` (left out), `update` (its non-blank "
            + "cells written over that record) or `create` (a new record all the same).")
}

extension OpenAPI.Area {
    private static let importID = OpenAPI.Parameter.id("id", "The import's id.")
    private static let object = OpenAPI.Schema.oneOf(Imports.objectNames).described("What the rows become.")

    static let imports = OpenAPI.Area(
        tag: "Imports",
        description: "CSV files brought in as records in two steps: the upload answers a preview (the encoding found, the mapping of "
            + "columns to fields proposed from the header, the first rows as they would be stored, every problem of every row), and "
            + "nothing is written until the import is committed, all rows in one transaction or none. Every member may import "
            + "contacts and accounts; leads only the roles that may create a lead. "
            + "See Docs/Import-Export.md.",
        access: .workspace,
        schemas: [
            "Import": .record([
                "id": .id,
                "object": object,
                "status": OpenAPI.Schema.oneOf([ImportStatus.ready, .committing, .committed, .failed].map(\.rawValue))
                    .described("`ready`: checked, and committable when `error_count` is 0; `failed`: the last commit wrote nothing "
                        + "(`failure` says why), and it may be changed and committed again."),
                "file_name": OpenAPI.Schema.string().orNull,
                "encoding": OpenAPI.Schema.oneOf([ImportEncoding.utf8WithBOM, .utf8, .gb18030].map(\.rawValue))
                    .described("How the bytes were read: a UTF-8 byte order mark, valid UTF-8, or else GB18030."),
                "dedupe": .importDedupe,
                "row_count": OpenAPI.Schema.integer(minimum: 0).described("Data rows: the header and rows of blank cells are not counted."),
                "columns": .array(of: .record([
                    "index": .integer(minimum: 0),
                    "header": .string(),
                    "field": OpenAPI.Schema.string().orNull.described("The field the column is imported as; `null`: not imported."),
                ])),
                "fields": OpenAPI.Schema.array(of: .record(["name": .string(), "required": .boolean]))
                    .described("The fields of `object` a column can be mapped to."),
                "preview": OpenAPI.Schema.array(of: .record([
                    "row": OpenAPI.Schema.integer(minimum: 2).described("The row number a spreadsheet shows: the header is row 1."),
                    "values": OpenAPI.Schema.map(of: OpenAPI.Schema.string().orNull)
                        .described("Each mapped field's value as it would be stored; a reference as the id it found; `null` for a cell "
                            + "with an error."),
                ])).described("The first 20 rows."),
                "error_count": .integer(minimum: 0),
                "errors": OpenAPI.Schema.array(of: .ref("ImportRowError")).described("The first 100, in row order; `…/errors` has all."),
                "progress": OpenAPI.Schema.record([
                    "processed": .integer(minimum: 0),
                    "total": .integer(minimum: 0),
                ]).described("Rows written so far of `row_count`, published after each batch of 5,000 while the commit runs."),
                "result": OpenAPI.Schema.record([
                    "created": .integer(minimum: 0),
                    "updated": .integer(minimum: 0),
                    "skipped": OpenAPI.Schema.integer(minimum: 0).described("Rows left out as duplicates."),
                ]).described("Once committed: records created and updated, rows skipped; zeros before."),
                "failure": OpenAPI.Schema.record(["code": .string(), "message": .string()]).orNull
                    .described("The error of the last failed commit; `null` otherwise."),
                "created_at": .time,
                "updated_at": .time,
                "committed_at": OpenAPI.Schema.time.orNull,
            ]),
            "ImportRowError": .record([
                "row": OpenAPI.Schema.integer(minimum: 1).described("The row number a spreadsheet shows; 1 for a problem of the header or mapping."),
                "field": OpenAPI.Schema.string().orNull.described("`null` for a problem of the whole row."),
                "column": OpenAPI.Schema.string().orNull.described("The header of the cell; `null` when the problem is not one cell's."),
                "code": OpenAPI.Schema.string().described("`required`, `invalid_value`, `unknown_<entity>` (such as `unknown_account`), "
                    + "`ambiguous_<entity>`, `extra_cells` or `required_field_unmapped` (Docs/Import-Export.md)."),
                "message": OpenAPI.Schema.string().described("The same as the JSON API's for that field."),
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .post, path: "/api/v1/imports", id: "createImport", summary: "Upload a CSV file and see what it would import",
                description: "The body is the file, as `text/csv` (also `application/csv`, `text/plain` and `application/vnd.ms-excel`, "
                    + "which browsers send for `.csv`), or the field `file` of a `multipart/form-data` form, whose fields `object` and "
                    + "`dedupe` win over the query's. At most 64 MiB, in UTF-8 (with or without a byte order mark) or GB18030. Every row "
                    + "is checked; nothing is written to the records.",
                parameters: [
                    .query("object", object, "Required, here or as a form field."),
                    .query("dedupe", .importDedupe, "`skip` when left out."),
                    .query("file_name", OpenAPI.Schema.string(length: ...255), "The file's name, kept with the import; a form's file "
                        + "part brings its own."),
                ],
                upload: [
                    OpenAPI.csvMediaType: OpenAPI.Schema.file(OpenAPI.csvMediaType),
                    OpenAPI.multipartMediaType: OpenAPI.Schema.body([
                        "file": .file(OpenAPI.csvMediaType),
                        "object": object,
                        "dedupe": .importDedupe,
                    ], required: ["file"]).asFormPost,
                ],
                success: .created(.ref("Import"), "The import, checked, with its preview."),
                errors: [
                    .forbiddenImport,
                    OpenAPI.ErrorCode(400, "invalid_parameter", "`object` is missing or not one of its values; `details.parameter` is `object`."),
                    OpenAPI.ErrorCode(400, "invalid_upload", "The body is neither CSV nor `multipart/form-data` with a `file` field."),
                    OpenAPI.ErrorCode(413, "payload_too_large", "The file is larger than 64 MiB; split it and import the parts."),
                    OpenAPI.ErrorCode(422, "unreadable_encoding", "The file is neither UTF-8 nor GB18030 text, or it is UTF-16."),
                    OpenAPI.ErrorCode(422, "invalid_csv", "A quoted cell is never closed, or the file holds a NUL character; `details.row` "
                        + "names the row."),
                    OpenAPI.ErrorCode(422, "empty_file", "The file has no header row."),
                    OpenAPI.ErrorCode(422, "invalid_field", "`dedupe` is not `skip`, `update` or `create`; `details.field` is `dedupe`."),
                ]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/imports/{id}", id: "getImport", summary: "Read an import, its preview or its progress",
                parameters: [importID],
                success: .ok(.ref("Import"), "The import."),
                errors: [.notFound("import")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/imports/{id}/errors", id: "listImportErrors", summary: "Every problem of an import's rows",
                parameters: [importID],
                success: .page(of: "ImportRowError", "A page of the errors of the last check, in row order."),
                errors: [.notFound("import")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/imports/{id}", id: "updateImport", summary: "Map the columns anew or choose another dedupe",
                description: "Every row is checked again; the import is `ready` after. A mapping that leaves a required field out is "
                    + "accepted and shows as the row-1 error `required_field_unmapped`.",
                parameters: [importID],
                body: .body([
                    "mapping": OpenAPI.Schema.array(of: OpenAPI.Schema.string().orNull).orNull
                        .described("One field name, or `null` for a column not imported, per column in the file's order; `null` or left "
                            + "out keeps the mapping."),
                    "dedupe": OpenAPI.Schema.importDedupe.orNull.described("`null` or left out keeps it."),
                ]),
                success: .ok(.ref("Import"), "The import, checked again."),
                errors: [.notFound("import"), .importCommitted, .importInProgress,
                         OpenAPI.ErrorCode(422, "invalid_mapping", "The mapping's length is not the number of columns, it names a field "
                             + "the object does not have, or two columns set the same field; `details.field` is `mapping`. Nothing changes."),
                         OpenAPI.ErrorCode(422, "invalid_field", "`dedupe` is not `skip`, `update` or `create`, or a field is of the wrong "
                             + "type; `details.field` names it.")]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/imports/{id}/commit", id: "commitImport", summary: "Write every row, or none",
                description: "In one transaction: the rows are checked again (the records they name may have changed), duplicates "
                    + "resolved, and the records written in batches while `GET` shows the progress. It answers when done. Any failure "
                    + "writes no record and leaves the import `failed` with the error, ready to be committed again.",
                parameters: [importID],
                success: .ok(.ref("Import"), "The import, `committed`, with its `result`."),
                errors: [.notFound("import"), .forbiddenImport, .importCommitted, .importInProgress,
                         OpenAPI.ErrorCode(409, "import_has_errors", "Rows have errors, found at the upload, the last change, or now; "
                             + "`details.error_count` counts them."),
                         OpenAPI.ErrorCode(402, "quota_exceeded", "The new records would pass the plan's limit of `object`; `details`: "
                             + "`quota`, `limit`, `used`. Nothing is written."),
                         OpenAPI.ErrorCode(503, "imports_busy", "This server runs 4 commits already; retry in a few seconds.",
                                           retryAfter: true)]),
        ])
}

extension OpenAPI.Operation {
    /// `GET /api/v1/<records>/export.csv`: every record the list `GET /api/v1/<records>` shows with
    /// the same `filters`, as one CSV file of the `columns` named.
    static func csvExport(_ records: String, id: String, filters: [OpenAPI.Parameter], columns: String,
                          errors: [OpenAPI.ErrorCode] = []) -> Self {
        OpenAPI.Operation(
            method: .get, path: "/api/v1/\(records)/export.csv", id: id, summary: "Export the \(records) as a CSV file",
            description: "Every record `GET /api/v1/\(records)` shows with the filters below, in its order, streamed a page at a time (so "
                + "not one snapshot). RFC 4180 with a header row and CRLF line ends; a cell starting with `=`, `+`, `-`, `@`, a tab or "
                + "a carriage return gets a `'` in front, which an import takes off again; times in ISO 8601, UTC; an empty value is "
                + "an empty cell. Columns: \(columns); then, where the workspace defined custom fields for these records, one "
                + "column each, headed by its label (Docs/Import-Export.md, \"Custom fields\").",
            parameters: filters + [
                .query("encoding", .oneOf(ExportEncoding.allCases.map(\.rawValue)), "`utf-8` (the default) writes UTF-8 with a byte "
                    + "order mark, which Excel needs; `gb18030` writes GB18030 without one, for older Chinese spreadsheet software."),
            ],
            success: OpenAPI.Success.file(OpenAPI.csvMediaType, "The file; `Content-Type` names the encoding as `charset`.")
                .with(header: "Content-Disposition", OpenAPI.Header(description: "`attachment; filename=\"\(records).csv\"`.", schema: .string())),
            errors: errors + [OpenAPI.ErrorCode(400, "invalid_parameter", "`encoding` is not `utf-8` or `gb18030`; `details.parameter` "
                + "is `encoding`.")])
    }
}
