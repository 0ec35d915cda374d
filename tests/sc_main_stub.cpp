// libsystemc refers to sc_main; in the SystemC unit tests Boost.Test's main drives the binary and
// each test calls sc_start itself (agilemmu_add_test_suite(... SYSTEMC) links this file).
extern "C" int sc_main(int, char**) { return 0; }  // as <systemc> declares it
