# Fuzz targets for every reader of outside input (tests/fuzz): libFuzzer
# binaries with ASACL_FUZZ=ON, corpus replays as ctests in every build.
add_subdirectory(fuzz)
