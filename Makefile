# Guanxi: `make run` serves the embedded default, `make test` runs every test against a real
# PostgreSQL that it starts itself, `make bench` measures on a release build.
.PHONY: run test bench deps build clean

run: deps
	swift build --product guanxi
	.build/debug/guanxi serve $(ARGS)

test: deps
	bash Tests/run-with-postgres.sh

bench: deps
	bash Benchmarks/run.sh

deps:
	bash Deploy/bootstrap.sh

build:
	swift build

clean:
	rm -rf .build
