# Building and dropping large structures: buffers come and go as mmap/munmap pairs (run with
# glibc.malloc.mmap_threshold fixed, as study.sh does, so glibc does not raise it after the first
# free), each written page by page; hashes of small entries come and go through the heap.
# Usage: perl churn.pl [ROUNDS] [MIB]
use strict;
my ($rounds, $max) = (shift // 400, shift // 4);
open my $zero, '<', '/dev/zero' or die "/dev/zero: $!";
for my $r (1 .. $rounds) {
  my $mib = 1 + $r % $max;
  my $s = '';
  sysread($zero, $s, $mib << 20) == $mib << 20 or die "short read";
  substr($s, $_ << 12, 1, "x") for 0 .. ($mib << 8) - 1;
  my %h;
  $h{$_} = $_ for 1 .. 200;
  undef $s;  # a lexical keeps its buffer across iterations unless freed
}
