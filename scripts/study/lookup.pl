# A large table that stays, read once end to end, (random lookups miss the TLB: stable memory) next to 40 MiB buffers
# built and dropped (each a fresh mmap, written page by page, then unmapped: churn). The kernel
# fills the table and the buffers (sysread from /dev/zero), so the trace holds the program's own
# references rather than a byte-by-byte fill. Usage: perl lookup.pl [TABLE_MIB] [ROUNDS]
use strict;
my ($mib, $rounds) = (shift // 256, shift // 200);
open my $zero, '<', '/dev/zero' or die "/dev/zero: $!";
my $table = '';
sysread($zero, $table, $mib << 20) == $mib << 20 or die "short read";
index($table, "\1") < 0 or die "not zero";  # one pass (memchr) touches every page, as initialising would
srand(1);
my $sum = 0;
for my $round (1 .. $rounds) {
  for (1 .. 1000) { $sum += vec($table, int(rand($mib << 18)), 32) }
  next if $round % 4;
  my $tmp = '';
  sysread($zero, $tmp, 40 << 20) == 40 << 20 or die "short read";
  substr($tmp, $_ << 12, 1, "x") for 0 .. (40 << 8) - 1;
  undef $tmp;  # a lexical keeps its buffer across iterations unless freed
}
print "$sum\n";
