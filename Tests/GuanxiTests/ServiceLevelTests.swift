import CRM
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Tenancy
import Testing

/// Business time in a workspace's zone, with hand-computed expectations: each comment says how
/// the expected moment comes about.
@Suite("Service levels: business time")
struct BusinessTimeTests {
    let time = ServiceDesk.time

    func calendar(_ zone: String, _ week: [Weekday: [OpeningPeriod]] = BusinessHours.standardWeek,
                  holidays: [String] = []) throws -> BusinessCalendar {
        try BusinessCalendar(timeZone: try #require(TimeZone(identifier: zone)), weekly: week,
                             holidays: Set(holidays.compactMap(LocalDate.init)))
    }

    func minutes(_ count: Int) -> TimeInterval { TimeInterval(count * 60) }

    @Test("a case opened on Friday evening is due on Monday, east and west of UTC")
    func fridayEvening() throws {
        // Shanghai, UTC+8: 30 minutes left on Friday, 30 more from 09:00 on Monday.
        let shanghai = try calendar("Asia/Shanghai")
        #expect(shanghai.adding(minutes(60), to: time("2026-09-25T17:30:00+08:00")) == time("2026-09-28T09:30:00+08:00"))
        // Los Angeles, UTC−8: Friday 17:30 is already Saturday in UTC; 30 minutes on Friday, 450 on Monday.
        let losAngeles = try calendar("America/Los_Angeles")
        #expect(losAngeles.adding(minutes(480), to: time("2026-01-10T01:30:00Z")) == time("2026-01-12T16:30:00-08:00"))
        // Auckland, UTC+13 in summer: Monday 08:00 is still Sunday in UTC, yet it is a working Monday there.
        let auckland = try calendar("Pacific/Auckland")
        #expect(auckland.adding(minutes(240), to: time("2026-01-04T19:00:00Z")) == time("2026-01-05T13:00:00+13:00"))
        // Opened while closed: the clock starts at the next opening.
        #expect(shanghai.adding(minutes(1), to: time("2026-09-26T11:00:00+08:00")) == time("2026-09-28T09:01:00+08:00"))
        #expect(shanghai.adding(0, to: time("2026-09-26T11:00:00+08:00")) == time("2026-09-26T11:00:00+08:00"))
    }

    @Test("holidays are closed all day, in the local calendar")
    func holidays() throws {
        // National Day week, 1–7 October: an hour on Wednesday 30 September, eight on Thursday 8 October.
        let golden = (1...7).map { String(format: "2026-10-%02d", $0) }
        let shanghai = try calendar("Asia/Shanghai", holidays: golden)
        let opened = time("2026-09-30T17:00:00+08:00")
        let due = shanghai.adding(minutes(540), to: opened)
        #expect(due == time("2026-10-08T17:00:00+08:00"))
        #expect(shanghai.businessSeconds(from: opened, to: due) == minutes(540))
        #expect(shanghai.businessSeconds(from: time("2026-10-01T00:00:00+08:00"), to: time("2026-10-08T00:00:00+08:00")) == 0)
    }

    @Test("daylight saving time in New York: due times keep to the local clock, and days are 23 or 25 hours long")
    func daylightSaving() throws {
        let newYork = try calendar("America/New_York")
        // Clocks go forward on Sunday 8 March 2026. Friday 17:00 EST + 240 minutes: 60 on Friday,
        // 180 from Monday 09:00, now EDT (UTC−4).
        #expect(newYork.adding(minutes(240), to: time("2026-03-06T17:00:00-05:00")) == time("2026-03-09T12:00:00-04:00"))
        // + 1620 minutes: 60 Friday, 540 Monday, 540 Tuesday, 480 Wednesday.
        #expect(newYork.adding(minutes(1620), to: time("2026-03-06T17:00:00-05:00")) == time("2026-03-11T17:00:00-04:00"))
        // Clocks go back on Sunday 1 November 2026.
        #expect(newYork.adding(minutes(240), to: time("2026-10-30T17:00:00-04:00")) == time("2026-11-02T12:00:00-05:00"))

        // Open around the clock: the day clocks go forward has 23 hours, the day they go back 25.
        let allDay = Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0, [OpeningPeriod(opensMinute: 0, closesMinute: 1440)]) })
        let always = try calendar("America/New_York", allDay)
        #expect(always.businessSeconds(from: time("2026-03-08T00:00:00-05:00"), to: time("2026-03-09T00:00:00-04:00")) == 23 * 3600)
        #expect(always.businessSeconds(from: time("2026-11-01T00:00:00-04:00"), to: time("2026-11-02T00:00:00-05:00")) == 25 * 3600)
        // 24 hours of business time from Saturday noon end at 11:00 on Sunday's wall clock.
        #expect(always.adding(24 * 3600, to: time("2026-10-31T12:00:00-04:00")) == time("2026-11-01T11:00:00-05:00"))

        // A period inside the hour that is skipped has no length: 02:00–03:00 on 8 March does not happen.
        let night = try calendar("America/New_York", [.sunday: [OpeningPeriod(opensMinute: 120, closesMinute: 180)]])
        #expect(night.businessSeconds(from: time("2026-03-08T00:00:00-05:00"), to: time("2026-03-09T00:00:00-04:00")) == 0)
        #expect(night.businessSeconds(from: time("2026-03-15T00:00:00-04:00"), to: time("2026-03-16T00:00:00-04:00")) == 3600)
    }

    @Test("a day may have several opening periods, such as a lunch break")
    func lunchBreak() throws {
        let week = Dictionary(uniqueKeysWithValues: [Weekday.monday, .tuesday, .wednesday, .thursday, .friday].map {
            ($0, [OpeningPeriod(opensMinute: 540, closesMinute: 720), OpeningPeriod(opensMinute: 810, closesMinute: 1080)])
        })
        let shanghai = try calendar("Asia/Shanghai", week)
        // 11:00 + 120 minutes: 60 until noon, 60 from 13:30.
        #expect(shanghai.adding(minutes(120), to: time("2026-09-28T11:00:00+08:00")) == time("2026-09-28T14:30:00+08:00"))
        #expect(shanghai.businessSeconds(from: time("2026-09-28T00:00:00+08:00"), to: time("2026-09-29T00:00:00+08:00")) == minutes(450))
        #expect(shanghai.businessSeconds(from: time("2026-09-29T00:00:00+08:00"), to: time("2026-09-28T00:00:00+08:00")) == 0)
    }

    @Test("a schedule that never opens is refused")
    func neverOpen() {
        #expect(throws: GuanxiError.self) { try BusinessCalendar(timeZone: .gmt, weekly: [.monday: []]) }
    }
}

@Suite("Service levels: SLA policy and business hours")
struct ServiceLevelTests {
    @Test("due times follow the workspace's business hours, zone and holidays")
    func dueTimes() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let owner = try await ServiceDesk.owner(app, of: tenant)
            let zone = try await app.request(.patch, "/api/v1/service/business-hours", token: tenant.apiKey,
                                             json: ["time_zone": "America/New_York"])
            #expect(zone.status == .ok, "\(zone.body.string)")
            let opened = ServiceDesk.time("2026-03-06T17:00:00-05:00")  // a Friday, before clocks go forward
            let normal = try await app.services.cases.create(owner, NewCase(subject: "Login fails", channel: .web), now: opened)
            let read = try await app.request(.get, "/api/v1/cases/\(normal.id)", token: tenant.apiKey).json()
            #expect(read["first_response_due_at"] as? String == "2026-03-09T16:00:00Z")  // Monday 12:00 EDT
            #expect(read["resolution_due_at"] as? String == "2026-03-11T21:00:00Z")      // Wednesday 17:00 EDT
            #expect(read["created_at"] as? String == "2026-03-06T22:00:00Z")

            // With Monday a holiday, the same case is due a day later.
            let holiday = try await app.request(.patch, "/api/v1/service/business-hours", token: tenant.apiKey,
                                                json: ["holidays": [["date": "2026-03-09", "name": "Staff day"]]])
            #expect(holiday.status == .ok)
            let later = try await app.services.cases.create(owner, NewCase(subject: "Login fails again", channel: .web), now: opened)
            #expect(later.clocks.firstResponseDueAt == ServiceDesk.time("2026-03-10T12:00:00-04:00"))

            // Targets changed by an admin apply to cases opened afterwards; older cases keep theirs.
            let policy = try await app.request(.patch, "/api/v1/service/sla", token: tenant.apiKey,
                                               json: ["targets": ["normal": ["first_response_minutes": 60, "resolution_minutes": 120]]])
            #expect(policy.status == .ok, "\(policy.body.string)")
            let fresh = try await app.services.cases.create(owner, NewCase(subject: "Third", channel: .web), now: opened)
            #expect(fresh.clocks.firstResponseTargetMinutes == 60)
            #expect(fresh.clocks.firstResponseDueAt == ServiceDesk.time("2026-03-06T18:00:00-05:00"))  // the last hour of Friday
            #expect(try await app.services.cases.get(tenant.id, normal.id).clocks.firstResponseTargetMinutes == 240)
        }
    }

    @Test("SLA policy: the standard targets, changes by owners and admins, refusals that change nothing")
    func policy() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let (manager, _) = try await ServiceDesk.member(app, of: tenant, role: .manager)
            let (agent, agentKey) = try await ServiceDesk.member(app, of: tenant, role: .supportAgent)
            let (_, adminKey) = try await ServiceDesk.member(app, of: tenant, role: .admin)

            let standard = try await app.request(.get, "/api/v1/service/sla", token: tenant.apiKey)
            #expect(standard.status == .ok)
            let targets = try #require(try standard.json()["targets"] as? [String: [String: Int]])
            #expect(targets == [
                "urgent": ["first_response_minutes": 30, "resolution_minutes": 240],
                "high": ["first_response_minutes": 60, "resolution_minutes": 540],
                "normal": ["first_response_minutes": 240, "resolution_minutes": 1620],
                "low": ["first_response_minutes": 480, "resolution_minutes": 2700],
            ])
            #expect(try standard.json()["escalation_assignee_id"] is NSNull)
            #expect(try standard.json()["escalate_priority"] as? Bool == true)

            let changed = try await app.request(.patch, "/api/v1/service/sla", token: adminKey, json: [
                "targets": ["urgent": ["first_response_minutes": 15, "resolution_minutes": 120]],
                "escalation_assignee_id": manager.user.description, "escalate_priority": false,
            ])
            #expect(changed.status == .ok, "\(changed.body.string)")
            let policy = try changed.json()
            #expect((policy["targets"] as? [String: [String: Int]])?["urgent"] == ["first_response_minutes": 15, "resolution_minutes": 120])
            #expect((policy["targets"] as? [String: [String: Int]])?["low"] == ["first_response_minutes": 480, "resolution_minutes": 2700])
            #expect(policy["escalation_assignee_id"] as? String == manager.user.description)
            #expect(policy["escalate_priority"] as? Bool == false)

            let refusals: [([String: Any], String, String)] = [
                (["targets": ["high": ["first_response_minutes": 90, "resolution_minutes": 60]]], "invalid_field", "targets.high.resolution_minutes"),
                (["targets": ["high": ["first_response_minutes": 0, "resolution_minutes": 60]]], "invalid_field", "targets.high.first_response_minutes"),
                (["targets": ["high": ["first_response_minutes": 10]]], "invalid_field", "targets.high.resolution_minutes"),
                (["targets": ["critical": ["first_response_minutes": 1, "resolution_minutes": 2]]], "unknown_field", "targets.critical"),
                (["targets": ["high": ["first_response_minutes": 1, "resolution_minutes": 2, "minutes": 3]]], "unknown_field", "targets.high.minutes"),
                (["targets": ["low": ["first_response_minutes": 1, "resolution_minutes": 2]], "escalation_assignee_id": agent.user.description],
                 "invalid_field", "escalation_assignee_id"),
                (["escalation_assignee_id": UUID().uuidString], "unknown_assignee", "escalation_assignee_id"),
                (["escalate_priority": "yes"], "invalid_field", "escalate_priority"),
            ]
            for (body, code, field) in refusals {
                let response = try await app.request(.patch, "/api/v1/service/sla", token: tenant.apiKey, json: body)
                #expect(response.status == .unprocessableContent, "\(body): \(response.body.string)")
                #expect(response.errorCode == code, "\(body)")
                #expect(((try response.json()["error"] as? [String: Any])?["details"] as? [String: String])?["field"] == field, "\(body)")
            }
            #expect(try await app.request(.get, "/api/v1/service/sla", token: tenant.apiKey).body.string == changed.body.string)

            let cleared = try await app.request(.patch, "/api/v1/service/sla", token: tenant.apiKey, json: ["escalation_assignee_id": NSNull()])
            #expect(try cleared.json()["escalation_assignee_id"] is NSNull)

            for (method, path) in [(HTTPRequest.Method.get, "sla"), (.patch, "sla"), (.get, "business-hours"), (.patch, "business-hours")] {
                let response = try await app.request(method, "/api/v1/service/\(path)", token: agentKey, json: method == .patch ? [:] : nil)
                #expect(response.status == .forbidden, "\(method) \(path)")
                #expect(response.errorCode == "forbidden_role")
            }
        }
    }

    @Test("business hours: the standard week, replacing the week, holidays and zone, refusals that change nothing")
    func businessHours() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let standard = try await app.request(.get, "/api/v1/service/business-hours", token: tenant.apiKey).json()
            #expect(standard["time_zone"] as? String == "UTC")
            #expect(standard["uses_workspace_time_zone"] as? Bool == true)
            let week = try #require(standard["weekly"] as? [String: [[String: String]]])
            #expect(week.count == 7)
            #expect(week["monday"] == [["opens": "09:00", "closes": "18:00"]])
            #expect(week["friday"] == [["opens": "09:00", "closes": "18:00"]])
            #expect(week["saturday"] == [])
            #expect((standard["holidays"] as? [Any])?.isEmpty == true)

            let replaced = try await app.request(.patch, "/api/v1/service/business-hours", token: tenant.apiKey, json: [
                "time_zone": "Asia/Shanghai",
                "weekly": ["monday": [["opens": "13:30", "closes": "18:00"], ["opens": "09:00", "closes": "12:00"]],
                           "saturday": [["opens": "10:00", "closes": "24:00"]]],
                "holidays": [["date": "2026-10-02", "name": "国庆节"], ["date": "2026-10-01"]],
            ])
            #expect(replaced.status == .ok, "\(replaced.body.string)")
            let hours = try replaced.json()
            #expect(hours["time_zone"] as? String == "Asia/Shanghai")
            #expect(hours["uses_workspace_time_zone"] as? Bool == false)
            let newWeek = try #require(hours["weekly"] as? [String: [[String: String]]])
            #expect(newWeek["monday"] == [["opens": "09:00", "closes": "12:00"], ["opens": "13:30", "closes": "18:00"]])
            #expect(newWeek["saturday"] == [["opens": "10:00", "closes": "24:00"]])
            #expect(newWeek["tuesday"] == [])
            #expect(hours["holidays"] as? [[String: String]] == [["date": "2026-10-01", "name": ""], ["date": "2026-10-02", "name": "国庆节"]])

            let refusals: [([String: Any], String, String)] = [
                (["weekly": ["monday": [["opens": "25:00", "closes": "26:00"]]]], "invalid_field", "weekly.monday.0.opens"),
                (["weekly": ["monday": [["opens": "9:00", "closes": "18:00"]]]], "invalid_field", "weekly.monday.0.opens"),
                (["weekly": ["monday": [["opens": "18:00", "closes": "09:00"]]]], "invalid_field", "weekly.monday.0.closes"),
                (["weekly": ["monday": [["opens": "09:00", "closes": "12:00"], ["opens": "11:00", "closes": "18:00"]]]], "invalid_field", "weekly.monday"),
                (["weekly": ["monday": []]], "invalid_field", "weekly"),
                (["weekly": [:]], "invalid_field", "weekly"),
                (["weekly": ["funday": [["opens": "09:00", "closes": "12:00"]]]], "unknown_field", "weekly.funday"),
                (["weekly": ["monday": [["open": "09:00", "closes": "12:00"]]]], "unknown_field", "weekly.monday.0.open"),
                (["holidays": [["date": "2026-02-30"]]], "invalid_field", "holidays.0.date"),
                (["holidays": [["date": "2026-05-01"], ["date": "2026-05-01"]]], "invalid_field", "holidays.1.date"),
                (["holidays": [["date": "2026-05-01", "day": "Labour Day"]]], "unknown_field", "holidays.0.day"),
                (["time_zone": "Mars/Olympus_Mons", "holidays": []], "invalid_field", "time_zone"),
            ]
            for (body, code, field) in refusals {
                let response = try await app.request(.patch, "/api/v1/service/business-hours", token: tenant.apiKey, json: body)
                #expect(response.status == .unprocessableContent, "\(body): \(response.body.string)")
                #expect(response.errorCode == code, "\(body)")
                #expect(((try response.json()["error"] as? [String: Any])?["details"] as? [String: String])?["field"] == field, "\(body)")
            }
            #expect(try await app.request(.get, "/api/v1/service/business-hours", token: tenant.apiKey).body.string == replaced.body.string)

            let following = try await app.request(.patch, "/api/v1/service/business-hours", token: tenant.apiKey, json: ["time_zone": NSNull()])
            #expect(try following.json()["time_zone"] as? String == "UTC")
            #expect(try following.json()["uses_workspace_time_zone"] as? Bool == true)
            #expect((try following.json()["holidays"] as? [Any])?.count == 2)
        }
    }
}

/// The breach sweep looks at every workspace of the test database. Its cases here are opened in
/// January 2024, before any other suite's cases are due, so no other test's sweep-free
/// expectations can be touched by it, and its counts are exact.
@Suite("Service levels: breaches and escalation")
struct BreachTests {
    @Test("the sweep flags each breach once, escalates the case and records it; a late stop records it too")
    func sweep() async throws {
        try await TestApp.run { app in
            let time = ServiceDesk.time
            let cases = app.services.cases
            let monitor = app.services.caseBreaches
            let first = try await app.makeTenant()
            let second = try await app.makeTenant()
            let (manager, _) = try await ServiceDesk.member(app, of: first, role: .manager)
            let (agent, _) = try await ServiceDesk.member(app, of: first, role: .supportAgent)
            #expect(try await app.request(.patch, "/api/v1/service/sla", token: first.apiKey,
                                          json: ["escalation_assignee_id": manager.user.description]).status == .ok)
            #expect(try await app.request(.patch, "/api/v1/service/sla", token: second.apiKey, json: ["escalate_priority": false]).status == .ok)
            let firstOwner = try await ServiceDesk.owner(app, of: first)
            let secondOwner = try await ServiceDesk.owner(app, of: second)

            let monday = time("2024-01-08T09:00:00Z")
            // normal: first response due 13:00, resolution Wednesday 18:00
            let slow = try await cases.create(firstOwner, NewCase(subject: "Slow", channel: .phone, assigneeID: agent.user), now: monday)
            // high, answered at 09:30: resolution due 18:00
            let answered = try await cases.create(firstOwner, NewCase(subject: "Answered", priority: .high, channel: .phone, assigneeID: agent.user),
                                                  now: monday)
            _ = try await cases.respond(agent, answered.id, CaseResponse(), now: time("2024-01-08T09:30:00Z"))
            // urgent, in a workspace that neither raises priorities nor reassigns: first response 09:30, resolution 13:00
            let urgent = try await cases.create(secondOwner, NewCase(subject: "Down", priority: .urgent, channel: .email), now: monday)
            // low: first response due 17:00, answered late at 17:30
            let late = try await cases.create(secondOwner, NewCase(subject: "Late", priority: .low, channel: .email), now: monday)

            #expect(try await monitor.sweep(now: time("2024-01-08T09:29:59Z")) == 0)
            #expect(try await monitor.sweep(now: time("2024-01-08T09:30:00Z")) == 1)
            let urgentNow = try await cases.get(second.id, urgent.id)
            #expect(urgentNow.clocks.firstResponseBreachedAt == time("2024-01-08T09:30:00Z"))
            #expect(urgentNow.priority == .urgent)
            #expect(urgentNow.assigneeID == nil)
            #expect(ServiceDesk.kinds(try await ServiceDesk.history(app, second, urgent.id.description)) == ["created", "breached", "escalated"])

            #expect(try await monitor.sweep(now: time("2024-01-08T13:00:00Z")) == 2)
            #expect(try await monitor.sweep(now: time("2024-01-08T13:00:00Z")) == 0)
            let escalated = try await cases.get(first.id, slow.id)
            #expect(escalated.clocks.firstResponseBreachedAt == time("2024-01-08T13:00:00Z"))
            #expect(escalated.priority == .high)
            #expect(escalated.assigneeID == manager.user)
            #expect(escalated.clocks.resolutionDueAt == time("2024-01-10T18:00:00Z"))  // an escalation moves no due time
            let history = try await ServiceDesk.history(app, first, slow.id.description)
            #expect(history.map { [$0["kind"], $0["from"], $0["to"]].map { $0 as? String ?? "-" } } == [
                ["created", "-", "new"], ["breached", "-", "first_response"], ["escalated", "-", "first_response"],
                ["priority_changed", "normal", "high"], ["assignee_changed", agent.user.description, manager.user.description],
            ])
            #expect(history.dropFirst().allSatisfy { $0["actor_id"] is NSNull && $0["occurred_at"] as? String == "2024-01-08T13:00:00Z" })
            #expect(try await cases.get(second.id, urgent.id).clocks.resolutionBreachedAt == time("2024-01-08T13:00:00Z"))

            // Answered after its due time and before a sweep: flagged as the clock stops, by no member, and not escalated.
            let answeredLate = try await cases.respond(secondOwner, late.id, CaseResponse(), now: time("2024-01-08T17:30:00Z"))
            #expect(answeredLate.clocks.firstResponseBreachedAt == time("2024-01-08T17:00:00Z"))
            #expect(answeredLate.priority == .low)
            #expect(ServiceDesk.kinds(try await ServiceDesk.history(app, second, late.id.description))
                    == ["created", "breached", "responded", "status_changed"])

            // Two servers sweeping at the same moment flag the one new breach once between them.
            async let one = monitor.sweep(now: time("2024-01-08T18:00:00Z"))
            async let other = monitor.sweep(now: time("2024-01-08T18:00:00Z"))
            #expect(try await one + other == 1)
            let answeredNow = try await cases.get(first.id, answered.id)
            #expect(answeredNow.clocks.resolutionBreachedAt == time("2024-01-08T18:00:00Z"))
            #expect(answeredNow.priority == .urgent)
            #expect(answeredNow.assigneeID == manager.user)

            // The second breach of the same case raises it again; it already has the escalation assignee.
            #expect(try await monitor.sweep(now: time("2024-01-10T18:00:00Z")) == 1)
            let twice = try await cases.get(first.id, slow.id)
            #expect(twice.priority == .urgent)
            #expect(ServiceDesk.kinds(try await ServiceDesk.history(app, first, slow.id.description)).suffix(3)
                    == ["breached", "escalated", "priority_changed"])

            let breached = try await app.request(.get, "/api/v1/cases?breached=true", token: first.apiKey).json()
            #expect((breached["data"] as? [[String: Any]])?.compactMap { $0["number"] as? Int } == [1001, 1002])
            // The manager's queue: the first response of "Slow" was due at 13:00, the resolution of "Answered" at 18:00.
            let queue = try await app.request(.get, "/api/v1/cases?assignee=\(manager.user)&open=true", token: first.apiKey).json()
            #expect((queue["data"] as? [[String: Any]])?.compactMap { $0["subject"] as? String } == ["Slow", "Answered"])
        }
    }
}
