import ArgumentParser

struct DBInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the status table(s) unless they exist (MariaDB or SQLite). Safe to run again.",
        discussion: """
            etc/schema.sql holds the same table for those who prefer the mysql client.

            Example:
              ocsp-responder db init --config /etc/ocsp-responder/config.ini
            """
    )

    @OptionGroup var options: AdminOptions

    func run() throws {
        let admin = try options.admin()
        let tables = try admin.createTables()
        print("ready: \(tables.joined(separator: ", ")) (\(admin.config.database.backendDescription))")
    }
}
