# File formats (src/io/): safetensors, config.json, Hugging Face tensor names.
# The Hugging Face folders they read are committed in tests/data/hf/, written
# once by tests/gen_hf_folders.py; the tests themselves need no Python.
asacl_test(test_safetensors cpu)
asacl_test(test_config_json cpu)
asacl_test(test_hf_names cpu)
asacl_test(test_hf_folder cpu)
