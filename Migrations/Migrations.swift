import Foundation

/// The SQL files beside this one, shipped as resources so the binary always carries its schema.
public enum MigrationFiles {
    public static var directory: URL { Bundle.module.resourceURL! }
}
