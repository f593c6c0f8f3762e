import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

/// A self-signed certificate for `localhost` and `*.localhost` (and 127.0.0.1), made once with
/// openssl under the data directory, so the embedded default serves HTTPS without set-up.
public enum SelfSignedCertificate {
    public static func ensure(in directory: URL) throws -> (certificate: String, key: String) {
        let certificate = directory.appendingPathComponent("tls-cert.pem").path
        let key = directory.appendingPathComponent("tls-key.pem").path
        if FileManager.default.fileExists(atPath: certificate), FileManager.default.fileExists(atPath: key) {
            return (certificate, key)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "825", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,DNS:*.localhost,IP:127.0.0.1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GuanxiError(.unavailable, code: "certificate_generation_failed",
                              message: "openssl could not make a self-signed certificate; install openssl or pass --tls-certificate and --tls-key.")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        return (certificate, key)
    }
}
