# Micro-batches and ranks: a step's batch cut into shards gives the
# objective of the whole batch (tests/test_grad_accum.c), and mpirun -np 2
# gives what one process gives (tests/test_mpi.sh, when MPI was found).
asacl_test(test_grad_accum device ref/ref_ops.c ref/ref_bert.c model_fixture.c)
