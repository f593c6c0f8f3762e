# Guanxi: `make run` serves the embedded default, `make test` runs every test against a real
# PostgreSQL that it starts itself, `make bench` measures on a release build.
.PHONY: run test bench deps build clean migrations-listed

run: deps migrations-listed
	swift build --product guanxi
	.build/debug/guanxi serve $(ARGS)

test: deps
	bash Tests/run-with-postgres.sh

bench: deps migrations-listed
	bash Benchmarks/run.sh

deps:
	bash Deploy/bootstrap.sh

# Package.swift lists Migrations/*.sql as resources, and SwiftPM reads it again only when it
# changes: a migration newer than the manifest (a new file, a merge) must make it look changed.
migrations-listed:
	@if [ -n "$$(find Migrations -name '*.sql' -newer Package.swift)" ]; then touch Package.swift; fi

build: migrations-listed
	swift build

clean:
	rm -rf .build
